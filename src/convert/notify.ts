/**
 * Long file work in the notification area: in progress (with a bar and Cancel), then success
 * with what to do next (Reveal, Download, Details), or an error that names the cause.
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { el } from '../platform/dom';
import { INFO_TOAST_MS, replaceToast } from '../platform/notify';
import { ITask } from './model';
import { isFinished } from './states';
import { reportRows } from './report';

const POLL_MS = 400;

export interface ITaskCalls {
  get: (id: string) => Promise<ITask>;
  cancel: (id: string) => Promise<ITask>;
}

export interface ITaskTexts {
  /** While it runs, e.g. "Converting cnn.keras to TensorFlow Lite". */
  pending: string;
  success: (task: ITask) => string;
  failure: (task: ITask) => string;
  cancelled: string;
  /** What the user can do once it succeeded (Reveal, Download, ...). */
  successActions: (task: ITask) => Notification.IAction[];
  /** Extra ways out of a failure (convert again with other options, ...). */
  failureActions?: (task: ITask) => Notification.IAction[];
}

/** Follow ``task`` until it ends, keeping its notification up to date; the ended task. */
export async function followTask(
  trans: TranslationBundle,
  task: ITask,
  calls: ITaskCalls,
  texts: ITaskTexts
): Promise<ITask> {
  const cancel: Notification.IAction = {
    label: trans.__('Cancel'),
    caption: trans.__('Stop it; nothing half-written is kept'),
    callback: event => {
      event.preventDefault(); // keep the toast: it turns into "cancelled" by itself
      void calls.cancel(task.id).catch(() => undefined);
    }
  };
  const id = Notification.emit(texts.pending, 'in-progress', { autoClose: false, progress: 0, actions: [cancel] });
  while (!isFinished(task.status)) {
    await new Promise(resolve => setTimeout(resolve, POLL_MS));
    try {
      task = await calls.get(task.id);
    } catch (error) {
      Notification.dismiss(id);
      replaceToast('convert-error', () => Notification.error(String(error), { autoClose: false }));
      return task;
    }
    if (!isFinished(task.status)) {
      const step = task.message ? `: ${task.message}` : '';
      Notification.update({ id, message: `${texts.pending}${step}`, progress: task.progress, actions: [cancel] });
    }
  }
  // A new toast for the end, not an update: an update that comes before the first toast is
  // drawn (the toast library loads on first use) is lost, and the toast would spin forever.
  Notification.dismiss(id);
  if (task.status === 'succeeded') {
    Notification.success(texts.success(task), { autoClose: INFO_TOAST_MS, actions: texts.successActions(task) });
  } else if (task.status === 'failed') {
    const actions = [...(texts.failureActions?.(task) ?? []), detailsAction(trans, texts.failure(task), task)];
    replaceToast('convert-error', () => Notification.error(texts.failure(task), { autoClose: false, actions }));
  } else {
    Notification.warning(texts.cancelled, { autoClose: 5000 });
  }
  return task;
}

/** An error toast (toasts cut messages at 140 characters) with the whole text one click away. */
export function notifyError(trans: TranslationBundle, message: string, full: string): void {
  const actions = [{ label: trans.__('Details'), callback: () => void showText(trans.__('What went wrong'), full) }];
  replaceToast('convert-error', () => Notification.error(message, { autoClose: false, actions }));
}

export function detailsAction(trans: TranslationBundle, title: string, task: ITask): Notification.IAction {
  return {
    label: trans.__('Details'),
    caption: trans.__('The whole error or report'),
    displayType: 'link',
    callback: event => {
      event.preventDefault();
      void showReport(trans, title, task);
    }
  };
}

/** The record's error or report as a table of what it says. */
export async function showReport(trans: TranslationBundle, title: string, task: ITask): Promise<void> {
  const body = new Widget();
  body.addClass('jp-ConvertReport');
  const table = el('table');
  for (const [label, value] of reportRows(trans, task)) {
    const row = table.insertRow();
    row.insertCell().textContent = label;
    row.insertCell().append(value);
  }
  body.node.append(table);
  await showDialog({ title, body, buttons: [Dialog.okButton({ label: trans.__('Close') })] });
}

async function showText(title: string, text: string): Promise<void> {
  const body = new Widget();
  body.addClass('jp-ConvertReport');
  body.node.append(el('pre', '', text));
  await showDialog({ title, body, buttons: [Dialog.okButton()] });
}
