/**
 * The Jobs plugin: the section in the Platform panel, the job views, "Run as Job…" from
 * the notebook and editor toolbars, the file browser and the palette, and notifications.
 */
import { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { FileDialog } from '@jupyterlab/filebrowser';
import { CommandToolbarButton } from '@jupyterlab/ui-components';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';

import { jobIcon } from '../icons';
import { documentPath, ScriptButton } from '../platform/document';
import { documentFeaturePlugin, Feature } from '../platform/feature';
import { addPlatformCard } from '../platform/launcher';
import { EvaluationCommandIDs } from '../evaluation/plugin';
import { TensorBoardCommandIDs } from '../tensorboard/plugin';
import { IJobsUI } from './actions';
import { isJobScript } from './model';
import { JobNotifier } from './notify';
import { JobsSection } from './section';
import { submitScript } from './submit';
import { createJobWidget, JobView } from './view';

export namespace JobCommandIDs {
  /** Run the current document (or `args.path`) as a job. */
  export const submit = 'jlab-platform:submit-job';
  /** Run the file selected in the file browser as a job (its context menu). */
  export const submitSelected = 'jlab-platform:submit-selected-job';
  /** Open the view of the job `args.id`. */
  export const open = 'jlab-platform:open-job';
}

/** The model library's command: publish the model training a job ran (shown only for those jobs). */
const PUBLISH_JOB_COMMAND = 'jlab-platform:publish-job';

export const jobsPlugin: JupyterFrontEndPlugin<void> = documentFeaturePlugin(
  'jlab-platform:jobs',
  'Long-running jobs: run a script or notebook as a job, follow its log and metrics.',
  (app, platform, { translator, palette, restorer, browser, toolbars, launcher }) => {
    const feature = new Feature<JobView>(app, {
      translator,
      restorer,
      namespace: 'jlab-platform-job',
      command: JobCommandIDs.open,
      key: view => view.jobId
    });
    const trans = feature.trans;
    const ui: IJobsUI = {
      ...feature.ui,
      openJob: id => void app.commands.execute(JobCommandIDs.open, { id }),
      openPath: path => void app.commands.execute('docmanager:open', { path }),
      openTensorBoard: folder => void app.commands.execute(TensorBoardCommandIDs.open, { logdir: folder }),
      evaluate: job => void app.commands.execute(EvaluationCommandIDs.evaluateJob, { job: job.id }),
      publishButton: job =>
        app.commands.hasCommand(PUBLISH_JOB_COMMAND)
          ? new CommandToolbarButton({ commands: app.commands, id: PUBLISH_JOB_COMMAND, args: { job } })
          : null
    };
    feature.addSection(platform, new JobsSection(ui));

    const submitPath = (path: string | null): void => {
      if (!path || !isJobScript(path)) {
        Notification.warning(trans.__('Open or select a .py or .ipynb file to run it as a job.'), {
          autoClose: 5000
        });
        return;
      }
      void submitScript(app, ui, path);
    };

    const targetPath = (args: ReadonlyPartialJSONObject): string | null =>
      (args.path as string | undefined) ?? documentPath(app.shell.currentWidget);
    app.commands.addCommand(JobCommandIDs.submit, {
      label: trans.__('Run as Job…'),
      caption: trans.__('Run this file as a long-running job (console, CPU or GPU)'),
      icon: jobIcon,
      // Toolbar buttons stay enabled: their own document becomes current when clicked.
      isEnabled: args => args.toolbar === true || isJobScript(targetPath(args) ?? ''),
      execute: args => submitPath(targetPath(args))
    });
    palette?.addItem({ command: JobCommandIDs.submit, category: trans.__('Platform') });
    // The notebook toolbar item "run-as-job" (schema/jobs.json): the command with its label shown, as Sync.
    toolbars?.addFactory(
      'Notebook',
      'run-as-job',
      () =>
        new CommandToolbarButton({
          commands: app.commands,
          id: JobCommandIDs.submit,
          args: { toolbar: true },
          label: trans.__('Run as Job'),
          icon: jobIcon
        })
    );

    if (browser) {
      const selected = (): string | null => {
        const item = browser.selectedItems().next();
        return !item.done && item.value.type !== 'directory' ? item.value.path : null;
      };
      addPlatformCard(app, launcher, trans, {
        name: 'jobs',
        label: trans.__('Run a job'),
        caption: trans.__('Pick a .py or .ipynb file and run it as a long-running job'),
        icon: jobIcon,
        rank: 10,
        execute: async () => {
          const picked = await FileDialog.getOpenFiles({
            manager: browser.model.manager,
            title: trans.__('Run a job'),
            filter: model => (model.type === 'directory' || isJobScript(model.path) ? {} : null)
          });
          const file = picked.value?.[0];
          if (picked.button.accept && file) {
            submitPath(file.path);
          }
        }
      });
      app.commands.addCommand(JobCommandIDs.submitSelected, {
        label: trans.__('Run as Job…'),
        caption: trans.__('Run this file as a long-running job (console, CPU or GPU)'),
        icon: jobIcon,
        isVisible: () => isJobScript(selected() ?? ''),
        execute: () => submitPath(selected())
      });
    }

    feature.addOpenCommand({
      label: args => (args.id ? trans.__('Open Job %1', args.id as string) : trans.__('Open Job')),
      create: id => createJobWidget(ui, id)
    });

    app.docRegistry.addWidgetExtension(
      'Editor',
      new ScriptButton({
        name: 'run-as-job',
        index: 10,
        icon: jobIcon,
        label: trans.__('Run as Job'),
        tooltip: trans.__('Run this script as a long-running job (console, CPU or GPU)'),
        className: 'jp-RunAsJobButton',
        onClick: submitPath
      })
    );

    new JobNotifier(ui, app.serviceManager.events, () => feature.showSection()).start();
  }
);
