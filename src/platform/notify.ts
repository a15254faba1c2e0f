/**
 * Toasts that do not pile up over the sidebars (JupyterLab keeps a toast that has actions
 * until it is closed, unless it is given a time): informational ones close by themselves,
 * and an error that stays replaces the previous one of its kind.
 */
import { Notification } from '@jupyterlab/apputils';

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
