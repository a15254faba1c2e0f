/**
 * The Modules & Datasets plugin: the right sidebar, inserting module code into notebooks
 * (recorded in the notebook's deployment config) and running the same call as a job.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { ITranslator, nullTranslator, TranslationBundle } from '@jupyterlab/translation';

import { modulesApi } from './client';
import { jobsApi } from '../jobs/client';
import { EvaluationCommandIDs } from '../evaluation/plugin';
import { trainingRuns } from '../evaluation/runs';
import { addPlatformCard } from '../platform/launcher';
import { IModulesHost } from './host';
import { FieldValue, JOB_SCRIPT_FOLDER, jobScriptPath, ModuleAction } from './model';
import { modulesIcon, ModulesPanel } from './panel';

export namespace ModuleCommandIDs {
  export const open = 'jlab-platform:open-modules';
}

/** The Jobs plugin's command: it asks for the environment and submits the script. */
const SUBMIT_JOB_COMMAND = 'jlab-platform:submit-job';
/** The Deploy plugin's command: it asks which complete run of the module to deploy. */
const DEPLOY_MODULE_COMMAND = 'jlab-platform:deploy-module';

export const modulesPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jlab-platform:modules',
  description: 'Modules & Datasets: browse modules and datasets, fill Train/Predict forms, insert code or run jobs.',
  autoStart: true,
  optional: [ITranslator, INotebookTracker, IRenderMimeRegistry, ILayoutRestorer, ICommandPalette, ILauncher],
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator | null,
    notebooks: INotebookTracker | null,
    rendermime: IRenderMimeRegistry | null,
    restorer: ILayoutRestorer | null,
    palette: ICommandPalette | null,
    launcher: ILauncher | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jlab_platform');
    const host: IModulesHost = {
      trans,
      rendermime,
      insertCode: (module, action, params) => insertCode(app, trans, notebooks, module, action, params),
      runAsJob: (module, action, params) => runAsJob(app, trans, module, action, params),
      trainingRuns: module =>
        trainingRuns(trans, module, {
          evaluate: async run => {
            await app.commands.execute(EvaluationCommandIDs.evaluateRun, { run: run.run, hasSplit: run.has_split });
          },
          openReport: id => void app.commands.execute(EvaluationCommandIDs.open, { id })
        }),
      deploy: module => void app.commands.execute(DEPLOY_MODULE_COMMAND, { module })
    };
    const panel = new ModulesPanel(host);
    app.shell.add(panel, 'right', { rank: 600 });
    restorer?.add(panel, panel.id);

    app.commands.addCommand(ModuleCommandIDs.open, {
      label: trans.__('Open Modules & Datasets'),
      execute: () => app.shell.activateById(panel.id)
    });
    palette?.addItem({ command: ModuleCommandIDs.open, category: trans.__('Platform') });
    addPlatformCard(app, launcher, trans, {
      name: 'modules',
      label: trans.__('Modules & Datasets'),
      caption: trans.__('Browse modules and datasets; train, predict or insert their code'),
      icon: modulesIcon,
      rank: 20,
      execute: () => app.shell.activateById(panel.id)
    });
  }
};

async function insertCode(
  app: JupyterFrontEnd,
  trans: TranslationBundle,
  notebooks: INotebookTracker | null,
  module: string,
  action: ModuleAction,
  params: Record<string, FieldValue>
): Promise<void> {
  const panel = notebooks?.currentWidget ?? null;
  if (!panel) {
    throw new Error(trans.__('Open a notebook first: the code goes below its active cell.'));
  }
  const path = app.serviceManager.contents.localPath(panel.context.path);
  const snippet = await modulesApi.snippet(module, { action, params, notebook: path, record: true });
  insertBelowActiveCell(panel, snippet.code);
  app.shell.activateById(panel.id);
  const recorded = snippet.config ? trans.__('; inputs and outputs recorded in %1', snippet.config) : '';
  Notification.success(trans.__('Code calling %1.%2 inserted into %3', module, action, panel.context.path) + recorded, {
    autoClose: 5000
  });
}

/** A new code cell with `code` right below the active cell, made active. */
function insertBelowActiveCell(panel: NotebookPanel, code: string): void {
  const notebook = panel.content;
  const model = notebook.model;
  if (!model) {
    throw new Error('The notebook is not loaded yet');
  }
  const index = notebook.activeCellIndex + 1;
  model.sharedModel.insertCell(index, { cell_type: 'code', source: code });
  notebook.activeCellIndex = index;
  notebook.deselectAll();
  void notebook.scrollToItem(index);
}

async function runAsJob(
  app: JupyterFrontEnd,
  trans: TranslationBundle,
  module: string,
  action: ModuleAction,
  params: Record<string, FieldValue>
): Promise<void> {
  const contents = app.serviceManager.contents;
  await contents.save(JOB_SCRIPT_FOLDER, { type: 'directory' });
  // Paths in the script are written relative to the folder it runs in.
  const snippet = await modulesApi.snippet(module, { action, params, base_dir: JOB_SCRIPT_FOLDER, script: true });
  const path = jobScriptPath(module, action, new Date());
  const header = `# ${trans.__('Written by Modules & Datasets: %1 of %2, run as a job.', action, module)}\n`;
  await contents.save(path, { type: 'file', format: 'text', content: header + snippet.code });
  if (app.commands.hasCommand(SUBMIT_JOB_COMMAND)) {
    await app.commands.execute(SUBMIT_JOB_COMMAND, { path });
    return;
  }
  const job = await jobsApi.submit({ script: path, env: 'cpu' });
  Notification.info(trans.__('Job %1 submitted', job.name), { autoClose: 4000 });
}
