/**
 * The Deploy plugin: "Deploy…" from the notebook and script toolbars, the file browser, the Modules
 * panel (a module's run), the palette and the launcher; the Deployments section of the Platform
 * panel; a "Try it" tab and a log tab per deployment.
 */
import { JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, InputDialog, Notification, showDialog } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { FileDialog } from '@jupyterlab/filebrowser';
import { TranslationBundle } from '@jupyterlab/translation';
import { CommandToolbarButton } from '@jupyterlab/ui-components';
import type { ReadonlyPartialJSONObject } from '@lumino/coreutils';
import type { Widget } from '@lumino/widgets';

import { ApiError } from '../api';
import { convertApi } from '../convert/client';
import { evaluationApi } from '../evaluation/client';
import { documentPath, ScriptButton } from '../platform/document';
import { documentFeaturePlugin, Feature } from '../platform/feature';
import { formatTime } from '../platform/format';
import { addPlatformCard } from '../platform/launcher';
import { INFO_TOAST_MS, showError } from '../platform/notify';
import { deploySource, IDeployUI } from './actions';
import { deployIcon } from './icons';
import { createLogWidget, DeployLogView } from './log';
import { DeploySection } from './section';
import { createTryItWidget, TryItView } from './tryit';

export namespace DeployCommandIDs {
  /** Deploy `args.path` (a .py, a notebook exported first, a run or ModelArts folder), else the current document. */
  export const deploy = 'jlab-platform:deploy';
  /** Deploy the file or folder selected in the file browser (its context menu). */
  export const deploySelected = 'jlab-platform:deploy-selected';
  /** Deploy a run of the module `args.module` (the Modules panel). */
  export const deployModule = 'jlab-platform:deploy-module';
  /** Open the Try-it tab of the deployment `args.name`. */
  export const tryIt = 'jlab-platform:deploy-try';
  /** Open the log tab of the deployment `args.name`. */
  export const log = 'jlab-platform:deploy-log';
  /** Show the Deployments section of the Platform panel. */
  export const openSection = 'jlab-platform:open-deployments';
}

/** The Git plugin's command: save, message, commit, pull, push. */
const GIT_SYNC_COMMAND = 'jlab-platform:git-sync';

/** A script, a notebook (exported first), or a folder: a module run or a ModelArts folder (the server checks which). */
function isDeployable(path: string, isDirectory: boolean): boolean {
  return isDirectory || /\.(py|ipynb)$/i.test(path);
}

/** The path of the document in `widget`, when it is a notebook or a script. */
function deployablePath(widget: Widget | null): string | null {
  const path = documentPath(widget);
  return path && /\.(py|ipynb)$/i.test(path) ? path : null;
}

export const deployPlugin: JupyterFrontEndPlugin<void> = documentFeaturePlugin(
  'jlab-platform:deploy',
  'Deploy a module run, a script or a ModelArts folder as an HTTP service bound to a commit; try it online.',
  (app, platform, { translator, palette, restorer, browser, toolbars, launcher }) => {
    // Two kinds of tabs per deployment: its Try-it tab (refreshed with the section) and its log.
    const tryTabs = new Feature<TryItView>(app, {
      translator,
      restorer,
      namespace: 'jlab-platform-deploy-try',
      command: DeployCommandIDs.tryIt,
      arg: 'name',
      key: view => view.deploymentName,
      refreshTabs: true
    });
    const logTabs = new Feature<DeployLogView>(app, {
      translator,
      restorer,
      namespace: 'jlab-platform-deploy-log',
      command: DeployCommandIDs.log,
      arg: 'name',
      key: view => view.deploymentName
    });
    const trans = tryTabs.trans;
    const category = trans.__('Platform');
    const ui: IDeployUI = {
      ...tryTabs.ui,
      openTryIt: name => void app.commands.execute(DeployCommandIDs.tryIt, { name }),
      openLog: name => void app.commands.execute(DeployCommandIDs.log, { name }),
      sync: async () => {
        // Without the Git plugin nothing is synced: the dialog then shows the workspace as it is.
        if (app.commands.hasCommand(GIT_SYNC_COMMAND)) {
          await app.commands.execute(GIT_SYNC_COMMAND);
        }
      }
    };
    tryTabs.addSection(platform, new DeploySection(ui));
    tryTabs.addOpenCommand({
      label: args => (args.name ? trans.__('Try %1', args.name as string) : trans.__('Try a Deployment')),
      icon: deployIcon,
      create: name => createTryItWidget(ui, name)
    });
    logTabs.addOpenCommand({
      label: args => (args.name ? trans.__('Log of %1', args.name as string) : trans.__('Deployment Log')),
      icon: deployIcon,
      create: name => createLogWidget(ui, name)
    });

    const deployPath = async (path: string | null): Promise<void> => {
      if (!path) {
        Notification.warning(
          trans.__('Open or select a .py file, a notebook, a module run folder or a ModelArts folder to deploy it.'),
          { autoClose: 5000 }
        );
        return;
      }
      if (app.commands.hasCommand('docmanager:save-all')) {
        await app.commands.execute('docmanager:save-all');
      }
      const source = /\.ipynb$/i.test(path) ? await exportNotebook(trans, path) : path;
      if (source) {
        await deploySource(ui, source);
      }
    };

    const targetPath = (args: ReadonlyPartialJSONObject): string | null =>
      (args.path as string | undefined) ?? deployablePath(app.shell.currentWidget);
    app.commands.addCommand(DeployCommandIDs.deploy, {
      label: trans.__('Deploy…'),
      caption: trans.__('Deploy as an HTTP service bound to the current commit, and try it online'),
      icon: deployIcon,
      // Toolbar buttons stay enabled: their own document becomes current when clicked.
      isEnabled: args => args.toolbar === true || targetPath(args) !== null,
      execute: args => deployPath(targetPath(args))
    });
    palette?.addItem({ command: DeployCommandIDs.deploy, category });
    // The notebook toolbar item "deploy" (schema/deploy.json).
    toolbars?.addFactory(
      'Notebook',
      'deploy',
      () =>
        new CommandToolbarButton({
          commands: app.commands,
          id: DeployCommandIDs.deploy,
          args: { toolbar: true },
          label: trans.__('Deploy'),
          icon: deployIcon
        })
    );
    app.docRegistry.addWidgetExtension(
      'Editor',
      new ScriptButton({
        name: 'deploy',
        index: 11,
        icon: deployIcon,
        label: trans.__('Deploy'),
        tooltip: trans.__('Deploy this script as an HTTP service and try it online'),
        className: 'jp-DeployButton',
        onClick: path => void deployPath(path)
      })
    );

    app.commands.addCommand(DeployCommandIDs.deployModule, {
      label: trans.__('Deploy a Module Run…'),
      icon: deployIcon,
      execute: async args => {
        const module = args.module as string | undefined;
        const run = module ? await pickRun(trans, module) : null;
        if (run) {
          await deploySource(ui, run);
        }
      }
    });

    if (browser) {
      const selected = (): { path: string; isDirectory: boolean } | null => {
        const item = browser.selectedItems().next();
        return item.done ? null : { path: item.value.path, isDirectory: item.value.type === 'directory' };
      };
      app.commands.addCommand(DeployCommandIDs.deploySelected, {
        label: trans.__('Deploy…'),
        caption: trans.__('Deploy as an HTTP service bound to the current commit, and try it online'),
        icon: deployIcon,
        isVisible: () => {
          const item = selected();
          return item !== null && isDeployable(item.path, item.isDirectory);
        },
        execute: () => deployPath(selected()?.path ?? null)
      });
      addPlatformCard(app, launcher, trans, {
        name: 'deploy',
        label: trans.__('Deploy'),
        caption: trans.__('Pick a .py file, a notebook or a run folder and deploy it as an HTTP service'),
        icon: deployIcon,
        rank: 60,
        execute: async () => {
          const picked = await FileDialog.getOpenFiles({
            manager: browser.model.manager,
            title: trans.__('Deploy'),
            filter: model => (model.type === 'directory' || /\.(py|ipynb)$/i.test(model.path) ? {} : null)
          });
          const file = picked.value?.[0];
          if (picked.button.accept && file) {
            await deployPath(file.path);
          }
        }
      });
    }

    app.commands.addCommand(DeployCommandIDs.openSection, {
      label: trans.__('Open Deployments'),
      caption: trans.__('The Deployments section of the Platform panel'),
      icon: deployIcon,
      execute: () => tryTabs.showSection()
    });
    palette?.addItem({ command: DeployCommandIDs.openSection, category });
  }
);

/**
 * The notebook as the script a deployment runs (seed 000: export to .py first); when the script is
 * already there, the user says whether to export again over it.
 */
async function exportNotebook(trans: TranslationBundle, path: string): Promise<string | null> {
  try {
    return (await convertApi.exportScript(path)).path;
  } catch (error) {
    if (!(error instanceof ApiError && error.status === 409)) {
      showError(error);
      return null;
    }
  }
  const script = PathExt.join(PathExt.dirname(path), PathExt.basename(path, PathExt.extname(path)) + '.py');
  const answer = await showDialog({
    title: trans.__('Export the notebook again?'),
    body: trans.__(
      '%1 already exists beside the notebook. Deploy it as it is, or export the notebook over it first (changes made to the script are lost)?',
      script
    ),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.okButton({ label: trans.__('Deploy it as it is'), displayType: 'default' }),
      Dialog.warnButton({ label: trans.__('Export again') })
    ]
  });
  if (!answer.button.accept) {
    return null;
  }
  if (answer.button.displayType !== 'warn') {
    return script;
  }
  try {
    return (await convertApi.exportScript(path, true)).path;
  } catch (error) {
    showError(error);
    return null;
  }
}

/** The complete run of `module` to deploy: the only one, or the one the user picks (newest first). */
async function pickRun(trans: TranslationBundle, module: string): Promise<string | null> {
  let runs;
  try {
    runs = (await evaluationApi.runs({ module })).filter(run => run.status === 'complete');
  } catch (error) {
    showError(error);
    return null;
  }
  if (!runs.length) {
    Notification.warning(trans.__('%1 has no complete training run to deploy: train it first.', module), {
      autoClose: INFO_TOAST_MS
    });
    return null;
  }
  if (runs.length === 1) {
    return runs[0].run;
  }
  const labels = runs.map(run => trans.__('%1 (%2)', PathExt.basename(run.run), formatTime(run.finished_at)));
  const result = await InputDialog.getItem({
    title: trans.__('Deploy a run of %1', module),
    label: trans.__('Run'),
    items: labels,
    okLabel: trans.__('Next'),
    cancelLabel: trans.__('Cancel')
  });
  const index = result.value === null ? -1 : labels.indexOf(result.value);
  return result.button.accept && index >= 0 ? runs[index].run : null;
}
