/** What the list and the job view both do to a job: terminate, restart, delete (with confirmation). */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import type { Widget } from '@lumino/widgets';

import { jobsApi } from './client';
import { showError } from '../platform/notify';
import { IJob } from './model';

/** What every Jobs widget needs from the plugin. */
export interface IJobsUI {
  readonly trans: TranslationBundle;
  /** For JupyterLab's own words around the views (the tabs' screen-reader labels). */
  readonly translator: ITranslator;
  /** Open (or bring forward) the view of one job. */
  openJob(id: string): void;
  /** Open a file of the workspace (a script, an output). */
  openPath(path: string): void;
  /** Open TensorBoard on a job's run (the folder the server names: its metrics as event files). */
  openTensorBoard(folder: string): void;
  /** Evaluate the training run the job wrote (its report opens in a tab). */
  evaluate(job: IJob): void;
  /** The model library's "Publish" for a job that trains a model (it shows itself only then), if there is one. */
  publishButton(jobId: string): Widget | null;
  /** Jobs changed here: lists refresh now instead of at their next poll. */
  changed(): void;
}

async function confirm(ui: IJobsUI, title: string, body: string, action: string): Promise<boolean> {
  const result = await showDialog({
    title,
    body,
    buttons: [Dialog.cancelButton({ label: ui.trans.__('Cancel') }), Dialog.warnButton({ label: action })]
  });
  return result.button.accept;
}

export async function terminateJob(ui: IJobsUI, job: IJob): Promise<IJob | null> {
  const trans = ui.trans;
  const ok = await confirm(
    ui,
    trans.__('Terminate job?'),
    trans.__('Stop “%1” and every process it started? Its log is kept.', job.name),
    trans.__('Terminate')
  );
  if (!ok) {
    return null;
  }
  try {
    const ended = await jobsApi.terminate(job.id);
    ui.changed();
    return ended;
  } catch (error) {
    showError(error);
    return null;
  }
}

export async function restartJob(ui: IJobsUI, job: IJob): Promise<IJob | null> {
  const trans = ui.trans;
  try {
    const restarted = await jobsApi.restart(job.id);
    ui.changed();
    Notification.info(trans.__('Job %1 restarted from its snapshot', restarted.name), {
      autoClose: 5000,
      actions: [{ label: trans.__('Open log'), callback: () => ui.openJob(restarted.id) }]
    });
    return restarted;
  } catch (error) {
    showError(error);
    return null;
  }
}

export async function deleteJob(ui: IJobsUI, job: IJob): Promise<boolean> {
  const trans = ui.trans;
  const ok = await confirm(
    ui,
    trans.__('Delete job?'),
    trans.__('Delete “%1” with its log? Files it wrote to results/ stay.', job.name),
    trans.__('Delete')
  );
  if (!ok) {
    return false;
  }
  try {
    await jobsApi.remove(job.id);
    ui.changed();
    return true;
  } catch (error) {
    showError(error);
    return false;
  }
}
