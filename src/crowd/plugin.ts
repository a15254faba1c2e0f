/**
 * The Crowdsourcing plugin: the section in the Platform panel, task views, the new-task
 * dialog, and a notification when a round is ready, complete, or failed.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import type { Event } from '@jupyterlab/services';
import { ITranslator, TranslationBundle } from '@jupyterlab/translation';

import { ApiError } from '../api';
import { modulesApi } from '../modules/client';
import { crowdApi } from './client';
import { errorMessage } from '../platform/format';
import { crowdIcon } from '../icons';
import { Feature } from '../platform/feature';
import { addPlatformCard } from '../platform/launcher';
import { IPlatformPanel } from '../platform/tokens';
import { INFO_TOAST_MS, replaceToast } from '../platform/notify';
import {
  askNewTask,
  draftToTask,
  EMPTY_DRAFT,
  ICreateDraft,
  ICreateProblem,
  ICreateSuggestions,
  showInviteLink
} from './dialogs';
import { ICrowdRoundEvent, moduleChoices, parseCrowdRoundEvent } from './model';
import { CrowdSection } from './section';
import { createTaskWidget, ICrowdViewUI, TaskView } from './view';

export namespace CrowdCommandIDs {
  export const newTask = 'jlab-platform:crowd-new-task';
  /** Open the task `args.id`. */
  export const openTask = 'jlab-platform:crowd-open-task';
}

const OPEN_JOB = 'jlab-platform:open-job';

export const crowdPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jlab-platform:crowd',
  description: 'Labeling and crowdsourcing: tasks, active-learning rounds, invited labelers.',
  autoStart: true,
  requires: [IPlatformPanel],
  optional: [ITranslator, ICommandPalette, ILayoutRestorer, ILauncher],
  activate: (
    app: JupyterFrontEnd,
    platform: IPlatformPanel,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    launcher: ILauncher | null
  ) => {
    const feature = new Feature<TaskView>(app, {
      translator,
      restorer,
      namespace: 'jlab-platform-crowd',
      command: CrowdCommandIDs.openTask,
      key: view => view.taskId,
      refreshTabs: true
    });
    const trans = feature.trans;
    const ui: ICrowdViewUI = {
      ...feature.ui,
      openTask: id => void app.commands.execute(CrowdCommandIDs.openTask, { id }),
      newTask: () => void app.commands.execute(CrowdCommandIDs.newTask),
      openJob: id => {
        if (app.commands.hasCommand(OPEN_JOB)) {
          void app.commands.execute(OPEN_JOB, { id });
        }
      },
      openPath: path => void app.commands.execute('docmanager:open', { path })
    };
    feature.addSection(platform, new CrowdSection(ui));

    app.commands.addCommand(CrowdCommandIDs.newTask, {
      label: trans.__('New Labeling Task…'),
      caption: trans.__('Have a dataset labeled in active-learning rounds, by you or invited people'),
      execute: () => createTask(trans, ui)
    });
    palette?.addItem({ command: CrowdCommandIDs.newTask, category: trans.__('Platform') });
    addPlatformCard(app, launcher, trans, {
      name: 'crowd',
      label: trans.__('Crowdsourcing'),
      caption: trans.__('Labeling tasks: have a dataset labeled in active-learning rounds'),
      icon: crowdIcon,
      rank: 30,
      execute: () => feature.showSection()
    });

    feature.addOpenCommand({
      label: args => (args.id ? trans.__('Open Labeling Task %1', args.id as string) : trans.__('Open Labeling Task')),
      create: id => createTaskWidget(ui, id)
    });

    app.serviceManager.events.stream.connect((_: Event.IManager, emission: Event.Emission) => {
      const event = parseCrowdRoundEvent(emission as Record<string, unknown>);
      if (event) {
        notify(trans, event, ui);
        ui.changed();
      }
    });
  }
};

/** Ask for a task until the server accepts it (its answer is shown in the dialog) or the user cancels. */
async function createTask(trans: TranslationBundle, ui: ICrowdViewUI): Promise<void> {
  const suggestions = await catalogNames();
  let draft: ICreateDraft | null = EMPTY_DRAFT;
  let problem: ICreateProblem | null = null;
  while ((draft = await askNewTask(trans, draft, problem, suggestions))) {
    try {
      const task = await crowdApi.createTask(draftToTask(draft));
      ui.changed();
      ui.openTask(task.id);
      for (const invite of task.invites) {
        await showInviteLink(trans, invite);
      }
      return;
    } catch (error) {
      problem = { message: errorMessage(error), field: error instanceof ApiError ? error.field : null };
    }
  }
}

/**
 * Dataset folders the Modules & Datasets library knows, and the modules to choose from: the
 * library's and the workspace's folders in the seed's format (each list empty when it fails).
 */
async function catalogNames(): Promise<ICreateSuggestions> {
  const [modules, datasets, seed] = await Promise.all([
    modulesApi.listModules().catch(() => []),
    modulesApi.listDatasets().catch(() => []),
    crowdApi.seedModules().catch(() => [])
  ]);
  return {
    modules: moduleChoices(modules, seed),
    datasets: datasets.map(dataset => dataset.path).filter((path): path is string => Boolean(path))
  };
}

function notify(trans: TranslationBundle, event: ICrowdRoundEvent, ui: ICrowdViewUI): void {
  const actions = [{ label: trans.__('Open task'), callback: () => ui.openTask(event.task_id) }];
  if (event.kind === 'round_complete') {
    const message = trans.__('Round %1 of “%2” is complete: every sample has its labels.', event.round, event.name);
    Notification.success(message, { autoClose: INFO_TOAST_MS, actions });
  } else if (event.kind === 'round_ready') {
    Notification.info(trans.__('Round %1 of “%2” is ready to label.', event.round, event.name), {
      autoClose: 8000,
      actions
    });
  } else {
    const message = trans.__('Round %1 of “%2” failed: its job’s log says why.', event.round, event.name);
    replaceToast(`crowd-round-${event.task_id}`, () => Notification.error(message, { autoClose: false, actions }));
  }
}
