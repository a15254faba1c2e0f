/** Pure pieces of capture and restore (no JupyterLab runtime imports: unit-tested in node). */

import type { ICapture } from './client';

/** The line that makes the platform's magics available in a kernel. */
export const LOAD_LINE = '%load_ext jlab_platform.kernel';
/** Loads the magics without printing anything (not even "already loaded"). */
export const SILENT_LOAD = "get_ipython().extension_manager.load_extension('jlab_platform.kernel')";
/** The same limits as the server's (jlab_platform/capture/names.py). */
export const MAX_NAME_LENGTH = 100;
const NAME = /^[A-Za-z0-9][A-Za-z0-9._-]*$/;
const CAPTURE_LINE = /^%%capture_output[ \t]+(\S+)[ \t]*$/;
const LOADS = /^[ \t]*%load_ext[ \t]+jlab_platform\.kernel[ \t]*$/m;

export function isValidName(name: string): boolean {
  return name.length <= MAX_NAME_LENGTH && NAME.test(name);
}

/** A valid default name for cell `cellIndex` (0-based) of a notebook, e.g. "train-cell3". */
export function defaultName(notebookPath: string, cellIndex: number): string {
  const stem = (notebookPath.split('/').pop() ?? '').replace(/\.ipynb$/i, '');
  const cleaned = stem.replace(/[^A-Za-z0-9._-]+/g, '-').replace(/^[-._]+|[-._]+$/g, '') || 'capture';
  const suffix = `-cell${cellIndex + 1}`;
  return cleaned.slice(0, MAX_NAME_LENGTH - suffix.length) + suffix;
}

/** The name a cell captures under (its first line is `%%capture_output NAME`), or null. */
export function capturedName(source: string): string | null {
  const match = CAPTURE_LINE.exec(source.split('\n', 1)[0]);
  return match ? match[1] : null;
}

/** `source` with `%%capture_output name` as its first line (replacing an earlier one). */
export function withCapture(source: string, name: string): string {
  const body = capturedName(source) === null ? source : source.slice(source.indexOf('\n') + 1 || source.length);
  return body ? `%%capture_output ${name}\n${body}` : `%%capture_output ${name}\n`;
}

export function restoreSource(name: string): string {
  return `%restore_output ${name}`;
}

export function loadsExtension(source: string): boolean {
  return LOADS.test(source);
}

/** Whether opening a notebook saved at `savedAt` should offer to restore this capture. */
export function shouldOffer(capture: ICapture, savedAt: string | null): boolean {
  if (capture.state === 'running') {
    return true;
  }
  const changed = Date.parse(capture.updated_at ?? capture.finished_at ?? '');
  const saved = Date.parse(savedAt ?? '');
  // Output that came after the last save is not in the notebook file.
  return Number.isFinite(changed) && (!Number.isFinite(saved) || changed > saved);
}
