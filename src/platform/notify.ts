/**
 * Toasts that do not pile up over the sidebars (JupyterLab keeps a toast that has actions
 * until it is closed, unless it is given a time): informational ones close by themselves,
 * an error that stays replaces the previous one of its kind, and a failed call closes after a while.
 */
import { Notification } from '@jupyterlab/apputils';

import { errorMessage } from './format';

/** Show a failed API call the way every panel does: the server's message says what to fix. */
export function showError(error: unknown): void {
  Notification.error(errorMessage(error), { autoClose: 8000 });
}

/** How long a success or info toast stays: long enough to read it and click its action. */
export const INFO_TOAST_MS = 10000;

const lastOfKind = new Map<string, string>();

/** Show a toast that stays until closed (`show` returns its id), closing the previous one of `kind`. */
export function replaceToast(kind: string, show: () => string): string {
  const previous = lastOfKind.get(kind);
  if (previous !== undefined) {
    Notification.dismiss(previous);
  }
  const id = show();
  lastOfKind.set(kind, id);
  return id;
}
