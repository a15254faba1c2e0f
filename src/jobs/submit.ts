/** Submitting a script as a job: save it, ask how to run it, then run it (in a console or not). */
import { JupyterFrontEnd } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import type { ConsolePanel } from '@jupyterlab/console';
import type { Event } from '@jupyterlab/services';

import { ApiError } from '../api';
import { jobsApi } from './client';
import { asDocument } from '../platform/document';
import { showError } from '../platform/notify';
import { IJobsUI } from './actions';
import { askSubmitOptions, ISubmitOptions } from './dialog';
import { consoleOutcome, IFinishJob, IJob, parseJobStatusEvent, runMagic } from './model';

/** Save every open, modified view of `path`: the job runs what is on disk. */
async function saveOpenDocument(app: JupyterFrontEnd, path: string): Promise<void> {
  for (const widget of app.shell.widgets('main')) {
    const context = asDocument(widget)?.context;
    if (context && context.path === path && context.model.dirty && !context.model.readOnly) {
      await context.save();
    }
  }
}

/** Ask for the job's options and submit `path`; the job, or null when cancelled or refused. */
export async function submitScript(app: JupyterFrontEnd, ui: IJobsUI, path: string): Promise<IJob | null> {
  const trans = ui.trans;
  const script = app.serviceManager.contents.localPath(path);
  let environments;
  try {
    environments = await jobsApi.environments();
  } catch (error) {
    showError(error);
    return null;
  }
  const options = await askSubmitOptions(trans, script, environments);
  if (!options) {
    return null;
  }
  try {
    await saveOpenDocument(app, path);
    const job =
      options.env === 'console'
        ? await runInConsole(app, ui, script, options)
        : await jobsApi.submit({
            script,
            env: options.env,
            name: options.name || undefined,
            args: options.args || undefined
          });
    ui.changed();
    Notification.info(trans.__('Job %1 submitted', job.name), {
      autoClose: 4000,
      actions: [{ label: trans.__('Open log'), callback: () => ui.openJob(job.id) }]
    });
    return job;
  } catch (error) {
    showError(error);
    return null;
  }
}

/**
 * A console job: open a console in the script's folder, register the job with that
 * console's kernel, `%run` the script there, and report how the run ended.
 */
async function runInConsole(app: JupyterFrontEnd, ui: IJobsUI, script: string, options: ISubmitOptions): Promise<IJob> {
  const trans = ui.trans;
  const panel = (await app.commands.execute('console:create', {
    basePath: PathExt.dirname(script),
    activate: true,
    name: options.name || PathExt.basename(script),
    // Start a Python kernel without asking which one.
    kernelPreference: {
      name: await defaultPythonKernel(app),
      language: 'python',
      autoStartDefault: true,
      shouldStart: true,
      canStart: true
    }
  })) as ConsolePanel;
  await panel.sessionContext.ready;
  const kernelId = panel.sessionContext.session?.kernel?.id;
  if (!kernelId) {
    throw new Error(trans.__('The console started no kernel: choose a Python kernel in it and run the job again.'));
  }
  const job = await jobsApi.submit({
    script,
    env: 'console',
    name: options.name || undefined,
    args: options.args || undefined,
    kernel_id: kernelId
  });
  const code = runMagic(PathExt.basename(script), options.args);
  void followConsoleRun(ui, app.serviceManager.events, panel, job, code);
  return job;
}

/** The server's default kernel when it runs Python (the usual case), else any Python kernel. */
async function defaultPythonKernel(app: JupyterFrontEnd): Promise<string | undefined> {
  const specs = app.serviceManager.kernelspecs;
  await specs.ready;
  const all = specs.specs;
  if (!all) {
    return undefined;
  }
  const isPython = (name: string): boolean => all.kernelspecs[name]?.language?.toLowerCase() === 'python';
  return isPython(all.default) ? all.default : Object.keys(all.kernelspecs).find(isPython);
}

interface IRunCellModel {
  executionCount?: number | null;
  outputs?: { toJSON(): Array<{ output_type?: unknown; ename?: unknown; evalue?: unknown }> };
}

async function followConsoleRun(
  ui: IJobsUI,
  events: Event.IManager,
  panel: ConsolePanel,
  job: IJob,
  code: string
): Promise<void> {
  const trans = ui.trans;
  let reported = false;
  // Terminate from the list ends the job on the server; stopping the run is ours to do.
  const onEvent = (_: Event.IManager, emission: Event.Emission): void => {
    const event = parseJobStatusEvent(emission as Record<string, unknown>);
    if (event?.job_id !== job.id) {
      return;
    }
    reported = true;
    if (event.status === 'terminated') {
      void panel.sessionContext.session?.kernel?.interrupt();
    }
  };
  events.stream.connect(onEvent);
  const report = async (outcome: IFinishJob): Promise<void> => {
    if (reported) {
      return;
    }
    reported = true;
    try {
      await jobsApi.finish(job.id, outcome);
    } catch (error) {
      // 409: the job already ended (terminated from the list, say): nothing to report.
      if (!(error instanceof ApiError && error.status === 409)) {
        showError(error);
      }
    }
    ui.changed();
  };
  const onClosed = (): void => {
    events.stream.disconnect(onEvent);
    const reason = trans.__('The console was closed before the script finished');
    void report({ status: 'terminated', reason });
  };
  panel.disposed.connect(onClosed);

  const running = panel.console.inject(code);
  // inject() adds the cell before it runs: the last cell is ours.
  const cells = panel.console.cells;
  const model = cells.get(cells.length - 1).model as unknown as IRunCellModel;
  try {
    await running;
  } catch {
    // The outcome is read from the cell below.
  }
  if (panel.isDisposed) {
    return;
  }
  panel.disposed.disconnect(onClosed);
  events.stream.disconnect(onEvent);
  const error = model.outputs?.toJSON().find(output => output.output_type === 'error') ?? null;
  const executed = model.executionCount !== null && model.executionCount !== undefined;
  const stopped = trans.__('The console kernel stopped before the script finished');
  await report(consoleOutcome(error, executed, stopped));
}
