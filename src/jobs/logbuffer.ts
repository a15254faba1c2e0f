/**
 * The part of a job's log that the view keeps, as pieces with their byte offsets
 * (pure: unit-tested in node). The view mirrors each piece with one DOM text node,
 * so what this class drops, the view removes.
 */
import { IJobLogChunk } from './model';

export const LOG_PAGE_BYTES = 256 * 1024;
export const LOG_MAX_CHARS = 2_000_000;

export interface ILogPiece {
  /** Byte offset of the first byte of `text` in the log. */
  start: number;
  /** Byte offset just after `text`. */
  end: number;
  text: string;
}

/** What an operation changed, for the view to replay on its text nodes. */
export interface ILogChange {
  /** The piece added (at the end for append, at the start for prepend), if any. */
  added: ILogPiece | null;
  /** Pieces removed from the start. */
  droppedHead: number;
  /** Pieces removed from the end. */
  droppedTail: number;
  /** The first piece lost its beginning (the view updates that node's text). */
  trimmedFirst: boolean;
}

export class LogBuffer {
  constructor(readonly maxChars = LOG_MAX_CHARS) {}

  get pieces(): readonly ILogPiece[] {
    return this._pieces;
  }

  /** Byte offset of the first byte kept (0 when the beginning is shown). */
  get start(): number {
    return this._pieces.length ? this._pieces[0].start : this._end;
  }

  /** Byte offset to ask for next when following the log. */
  get end(): number {
    return this._end;
  }

  get chars(): number {
    return this._chars;
  }

  /** Earlier bytes exist that are not shown. */
  get hasEarlier(): boolean {
    return this.start > 0;
  }

  /** The end was dropped to make room for earlier pages: newer bytes are not shown. */
  get tailHidden(): boolean {
    return this._tailHidden;
  }

  /** Some text was dropped since the last reset to stay under `maxChars`. */
  get dropped(): boolean {
    return this._dropped;
  }

  get text(): string {
    return this._pieces.map(p => p.text).join('');
  }

  reset(): void {
    this._pieces = [];
    this._chars = 0;
    this._end = 0;
    this._tailHidden = false;
    this._dropped = false;
  }

  /** Add a chunk that follows what is kept; drop from the start when over the limit. */
  append(chunk: IJobLogChunk): ILogChange {
    const change: ILogChange = { added: null, droppedHead: 0, droppedTail: 0, trimmedFirst: false };
    if (this._pieces.length === 0) {
      this._end = chunk.offset;
    }
    if (chunk.data) {
      const piece = { start: chunk.offset, end: chunk.next_offset, text: chunk.data };
      this._pieces.push(piece);
      this._chars += piece.text.length;
      change.added = piece;
    }
    this._end = Math.max(this._end, chunk.next_offset);
    while (this._chars > this.maxChars && this._pieces.length > 1) {
      this._chars -= this._pieces.shift()!.text.length;
      change.droppedHead++;
      this._dropped = true;
    }
    if (this._chars > this.maxChars) {
      this._trimFirst(this._chars - this.maxChars);
      change.trimmedFirst = true;
      this._dropped = true;
    }
    return change;
  }

  /** Add a chunk that precedes what is kept; drop from the end when over the limit. */
  prepend(chunk: IJobLogChunk): ILogChange {
    const change: ILogChange = { added: null, droppedHead: 0, droppedTail: 0, trimmedFirst: false };
    if (!chunk.data) {
      return change;
    }
    const piece = { start: chunk.offset, end: chunk.next_offset, text: chunk.data };
    this._pieces.unshift(piece);
    this._chars += piece.text.length;
    change.added = piece;
    while (this._chars > this.maxChars && this._pieces.length > 1) {
      const last = this._pieces.pop()!;
      this._chars -= last.text.length;
      this._end = last.start;
      change.droppedTail++;
      this._tailHidden = true;
      this._dropped = true;
    }
    return change;
  }

  /** Remove `chars` characters from the start, at a line break when one is near. */
  private _trimFirst(chars: number): void {
    const first = this._pieces[0];
    const newline = first.text.indexOf('\n', chars);
    const cut = newline >= 0 && newline - chars < 4096 ? newline + 1 : chars;
    const removed = first.text.slice(0, cut);
    first.text = first.text.slice(cut);
    first.start += utf8Length(removed);
    this._chars -= removed.length;
  }

  private _pieces: ILogPiece[] = [];
  private _chars = 0;
  private _end = 0;
  private _tailHidden = false;
  private _dropped = false;
}

/** Bytes of `text` in UTF-8 (the log's offsets count bytes, the DOM counts UTF-16 units). */
export function utf8Length(text: string): number {
  let bytes = 0;
  for (let i = 0; i < text.length; i++) {
    const code = text.charCodeAt(i);
    if (code < 0x80) {
      bytes += 1;
    } else if (code < 0x800) {
      bytes += 2;
    } else if (code >= 0xd800 && code <= 0xdbff && i + 1 < text.length) {
      bytes += 4;
      i++;
    } else {
      bytes += 3;
    }
  }
  return bytes;
}

/** The request for the page before `start`: its offset and length in bytes. */
export function earlierPage(start: number, pageBytes = LOG_PAGE_BYTES): { offset: number; max_bytes: number } | null {
  if (start <= 0) {
    return null;
  }
  const offset = Math.max(0, start - pageBytes);
  return { offset, max_bytes: start - offset };
}
