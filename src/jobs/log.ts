/**
 * A job's log, followed live: the tail first, then long polls from where it ended,
 * earlier pages on demand, never more than about 2 MB of text in the page.
 */
import { TranslationBundle } from '@jupyterlab/translation';

import { jobsApi } from './client';
import { el } from '../platform/dom';
import { earlierPage, ILogChange, LOG_MAX_CHARS, LOG_PAGE_BYTES, LogBuffer } from './logbuffer';
import { errorMessage, formatBytes } from '../platform/format';
import { IJobLogChunk } from './model';

const FOLLOW_WAIT_S = 10;
const FOLLOW_MAX_BYTES = 512 * 1024;
const RETRY_MS = 3000;

function sleep(ms: number): Promise<void> {
  return new Promise(resolve => window.setTimeout(resolve, ms));
}

export class LogArea {
  readonly node: HTMLElement;

  constructor(
    private readonly trans: TranslationBundle,
    private readonly jobId: string,
    /** Called once when the job has ended and the whole log was read. */
    private readonly onComplete: () => void
  ) {
    this.node = el('section', 'jp-JobLog');
    const header = el('div', 'jp-JobLog-header');
    this._size = el('span', 'jp-JobLog-size');
    this._state = el('span', 'jp-JobLog-state');
    const download = el('a', 'jp-JobLog-download', trans.__('Download'));
    download.href = jobsApi.logDownloadUrl(jobId);
    // The server names the file (Content-Disposition); a plain GET carries the login cookie.
    download.setAttribute('download', '');
    download.title = trans.__('Download the whole log as a text file');
    header.append(el('span', 'jp-JobLog-title', trans.__('Log')), this._size, this._state, download);

    this._earlier = el('div', 'jp-JobLog-notice jp-JobLog-earlier');
    this._earlierText = el('span');
    this._earlierButton = el(
      'button',
      'jp-Button jp-mod-minimal jp-mod-styled jp-JobLog-loadEarlier',
      trans.__('Load earlier')
    );
    this._earlierButton.type = 'button';
    this._earlierButton.addEventListener('click', () => void this.loadEarlier());
    this._earlier.append(this._earlierText, this._earlierButton);

    this._later = el('div', 'jp-JobLog-notice jp-JobLog-later');
    const latest = el('button', 'jp-Button jp-mod-minimal jp-mod-styled', trans.__('Show latest'));
    latest.type = 'button';
    latest.addEventListener('click', () => this._showLatest());
    const limit = formatBytes(LOG_MAX_CHARS);
    this._later.append(el('span', '', trans.__('Newer output is hidden to keep this view under %1.', limit)), latest);

    this._text = el('pre', 'jp-JobLog-text');
    this._scroller = el('div', 'jp-JobLog-scroller');
    this._scroller.append(this._earlier, this._text, this._later);
    // Follow the end while the user is there: scrolling up stops that, scrolling back to
    // the end resumes it. Only a move up counts, not a resize of the area (charts appearing).
    this._scroller.addEventListener('scroll', () => {
      const { scrollTop, scrollHeight, clientHeight } = this._scroller;
      if (scrollHeight - scrollTop - clientHeight < 8) {
        this._stick = true;
      } else if (scrollTop < this._lastScrollTop - 2) {
        this._stick = false;
      }
      this._lastScrollTop = scrollTop;
    });
    // The header and charts above grow while the job runs: stay at the end if there.
    this._resize = new ResizeObserver(() => {
      if (this._stick) {
        this._scrollToEnd();
      }
    });
    this._resize.observe(this._scroller);
    this.node.append(header, this._scroller);
    this._renderNotices();
  }

  get complete(): boolean {
    return this._complete;
  }

  /** Follow the log (after loading its tail the first time); safe to call again. */
  start(): void {
    if (this._controller || this._disposed) {
      return;
    }
    const controller = new AbortController();
    this._controller = controller;
    void this._run(controller.signal);
  }

  /** Stop following (the view was hidden or closed); `start` resumes where it stopped. */
  stop(): void {
    this._controller?.abort();
    this._controller = null;
  }

  dispose(): void {
    this._disposed = true;
    this._resize.disconnect();
    this.stop();
  }

  async loadEarlier(): Promise<void> {
    const page = earlierPage(this._buffer.start);
    if (!page || this._earlierButton.disabled) {
      return;
    }
    this._earlierButton.disabled = true;
    try {
      const chunk = await jobsApi.log(this.jobId, page);
      const before = this._scroller.scrollHeight;
      this._apply(this._buffer.prepend(chunk), 'start');
      // Keep the lines the user was reading where they were.
      this._scroller.scrollTop += this._scroller.scrollHeight - before;
    } catch (error) {
      const message = errorMessage(error);
      this._setState(this.trans.__('Cannot load earlier output: %1', message), true);
    } finally {
      this._earlierButton.disabled = false;
      this._renderNotices();
    }
  }

  private async _run(signal: AbortSignal): Promise<void> {
    while (!this._loaded && !signal.aborted) {
      const outcome = await this._loadTail(signal);
      if (outcome === 'stop') {
        return;
      }
      if (outcome === 'retry') {
        await sleep(RETRY_MS);
      }
    }
    while (!signal.aborted && !this._complete) {
      if (this._buffer.tailHidden) {
        await sleep(1000);
        continue;
      }
      try {
        const chunk = await jobsApi.log(
          this.jobId,
          { offset: this._buffer.end, wait: FOLLOW_WAIT_S, max_bytes: FOLLOW_MAX_BYTES },
          signal
        );
        if (signal.aborted) {
          return;
        }
        this._append(chunk);
      } catch (error) {
        if (signal.aborted || this._fatal(error)) {
          return;
        }
        this._setState(this.trans.__('Lost the log (%1); trying again…', (error as Error).message), true);
        await sleep(RETRY_MS);
      }
    }
  }

  private async _loadTail(signal: AbortSignal): Promise<'ok' | 'retry' | 'stop'> {
    this._setState(this.trans.__('Loading…'));
    try {
      const chunk = await jobsApi.log(this.jobId, { offset: -LOG_PAGE_BYTES }, signal);
      if (signal.aborted) {
        return 'stop';
      }
      this._buffer.reset();
      this._nodes.forEach(node => node.remove());
      this._nodes = [];
      this._loaded = true;
      this._append(chunk, true);
      return 'ok';
    } catch (error) {
      if (signal.aborted || this._fatal(error)) {
        return 'stop';
      }
      this._setState(this.trans.__('Cannot load the log: %1', (error as Error).message), true);
      return 'retry';
    }
  }

  /** A 404 means the job is gone: stop for good. */
  private _fatal(error: unknown): boolean {
    if ((error as { status?: number }).status === 404) {
      this._setState(this.trans.__('This job no longer exists.'), true);
      this._complete = true;
      return true;
    }
    return false;
  }

  private _append(chunk: IJobLogChunk, scrollToEnd = false): void {
    if (scrollToEnd) {
      this._stick = true;
    }
    this._apply(this._buffer.append(chunk), 'end');
    if (this._stick) {
      this._scrollToEnd();
    }
    this._size.textContent = formatBytes(chunk.size);
    if (chunk.complete && !this._complete) {
      this._complete = true;
      this._setState(this.trans.__('complete'));
      this.onComplete();
    } else if (!this._complete) {
      this._setState(this.trans.__('following…'));
    }
    this._renderNotices();
  }

  private _scrollToEnd(): void {
    this._scroller.scrollTop = this._scroller.scrollHeight;
    this._lastScrollTop = this._scroller.scrollTop;
  }

  /** Replay a buffer change on the text nodes (one node per kept piece). */
  private _apply(change: ILogChange, where: 'start' | 'end'): void {
    if (change.droppedHead > 0 || change.trimmedFirst) {
      // Text leaves above what the user reads: keep their lines in place.
      const before = this._scroller.scrollHeight;
      for (let i = 0; i < change.droppedHead; i++) {
        this._nodes.shift()?.remove();
      }
      if (change.trimmedFirst && this._nodes.length) {
        this._nodes[0].data = this._buffer.pieces[0].text;
      }
      const shift = before - this._scroller.scrollHeight;
      this._lastScrollTop -= shift;
      this._scroller.scrollTop -= shift;
    }
    for (let i = 0; i < change.droppedTail; i++) {
      this._nodes.pop()?.remove();
    }
    if (change.added) {
      const node = document.createTextNode(change.added.text);
      if (where === 'end') {
        this._text.append(node);
        this._nodes.push(node);
      } else {
        this._text.prepend(node);
        this._nodes.unshift(node);
      }
    }
  }

  private _showLatest(): void {
    this.stop();
    this._loaded = false;
    this._complete = false;
    this.start();
  }

  private _renderNotices(): void {
    const trans = this.trans;
    this._earlier.hidden = !this._buffer.hasEarlier;
    if (this._buffer.hasEarlier) {
      const hidden = formatBytes(this._buffer.start);
      this._earlierText.textContent = this._buffer.dropped
        ? trans.__(
            '%1 of earlier output not shown (this view keeps at most %2; Download has everything).',
            hidden,
            formatBytes(LOG_MAX_CHARS)
          )
        : trans.__('%1 of earlier output not shown.', hidden);
    }
    this._later.hidden = !this._buffer.tailHidden;
  }

  private _setState(text: string, error = false): void {
    this._state.textContent = text;
    this._state.classList.toggle('jp-mod-error', error);
  }

  private _buffer = new LogBuffer();
  private _stick = true;
  private _lastScrollTop = 0;
  private _resize: ResizeObserver;
  private _nodes: Text[] = [];
  private _loaded = false;
  private _complete = false;
  private _disposed = false;
  private _controller: AbortController | null = null;
  private _size: HTMLElement;
  private _state: HTMLElement;
  private _earlier: HTMLElement;
  private _earlierText: HTMLElement;
  private _earlierButton: HTMLButtonElement;
  private _later: HTMLElement;
  private _text: HTMLPreElement;
  private _scroller: HTMLElement;
}
