/**
 * The model library: the "Models" sidebar, a page per model (versions, aliases, trainings, batch
 * predictions), the New-model dialog (launcher card, palette) and "Publish" on a training job's view.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, Notification } from '@jupyterlab/apputils';
import { ILauncher } from '@jupyterlab/launcher';
import type { Event } from '@jupyterlab/services';
import { ITranslator } from '@jupyterlab/translation';

import { baseName } from '../platform/format';
import { Feature } from '../platform/feature';
import { addPlatformCard } from '../platform/launcher';
import { INFO_TOAST_MS, showError } from '../platform/notify';
import { EvaluationCommandIDs } from '../evaluation/plugin';
import { publishTraining } from './actions';
import { ITraining, modelsApi } from './client';
import { newModelDialog } from './dialog';
import { IModelsUI } from './host';
import { modelsIcon } from './icons';
import { createModelWidget, ModelPage } from './page';
import { ModelsPanel } from './panel';

export namespace ModelCommandIDs {
  /** Show the Models sidebar. */
  export const openPanel = 'jlab-platform:open-models';
  /** Open the page of the model named `args.id`. */
  export const open = 'jlab-platform:open-model';
  /** The New-model dialog. */
  export const create = 'jlab-platform:new-model';
  /** Publish the model training the job `args.job` ran (the job view's toolbar). */
  export const publishJob = 'jlab-platform:publish-job';
}

/** The Jobs plugin's command that opens a job's view. */
const OPEN_JOB_COMMAND = 'jlab-platform:open-job';
/** The Deploy plugin's command: it takes a `model:<ref>` source as its path. */
const DEPLOY_COMMAND = 'jlab-platform:deploy';

export const modelsPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jlab-platform:models',
  description: 'Model library: models, versions, aliases, trainings, batch predictions, export and deploy.',
  autoStart: true,
  optional: [ITranslator, ICommandPalette, ILayoutRestorer, ILauncher],
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    launcher: ILauncher | null
  ) => {
    const feature = new Feature<ModelPage>(app, {
      translator,
      restorer,
      namespace: 'jlab-platform-model',
      command: ModelCommandIDs.open,
      key: page => page.modelName,
      refreshTabs: true
    });
    const trans = feature.trans;
    const trainingsOfJobs = new TrainingsOfJobs(() => app.commands.notifyCommandChanged(ModelCommandIDs.publishJob));
    let deployable = false;
    let panel: ModelsPanel | null = null;

    const ui: IModelsUI = {
      ...feature.ui,
      openModel: name => void app.commands.execute(ModelCommandIDs.open, { id: name }),
      openJob: id => void app.commands.execute(OPEN_JOB_COMMAND, { id }),
      openReport: folder => void app.commands.execute(EvaluationCommandIDs.open, { id: baseName(folder) }),
      evaluateJob: job => void app.commands.execute(EvaluationCommandIDs.evaluateJob, { job }),
      newModel: async retrain => {
        let outcome;
        try {
          outcome = await newModelDialog(trans, retrain ?? null);
        } catch (error) {
          showError(error);
          return;
        }
        if (!outcome) {
          return;
        }
        ui.changed();
        const name = outcome.kind === 'created' ? outcome.model.name : outcome.training.model;
        const message =
          outcome.kind === 'created'
            ? trans.__('Model %1 created; its first training runs as a job.', name)
            : trans.__('Training of %1 started as job %2.', name, outcome.training.job_id);
        Notification.info(message, { autoClose: INFO_TOAST_MS });
        ui.openModel(name);
      },
      canDeploy: () => deployable && app.commands.hasCommand(DEPLOY_COMMAND),
      deploy: async ref => {
        await app.commands.execute(DEPLOY_COMMAND, { path: `model:${ref}` });
      },
      changed: () => {
        feature.changed();
        void panel?.refresh();
        trainingsOfJobs.forget();
      }
    };
    void modelsApi.canDeploy().then(answer => {
      deployable = answer;
      feature.changed();
    });

    panel = new ModelsPanel(ui);
    app.shell.add(panel, 'left', { rank: 860 });
    restorer?.add(panel, panel.id);
    const showPanel = (): void => app.shell.activateById(panel?.id ?? '');

    app.commands.addCommand(ModelCommandIDs.openPanel, {
      label: trans.__('Open Models'),
      caption: trans.__('The model library: models, their versions and aliases'),
      icon: modelsIcon,
      execute: showPanel
    });
    feature.addOpenCommand({
      label: args => (args.id ? trans.__('Open Model %1', args.id as string) : trans.__('Open Model')),
      icon: modelsIcon,
      create: name => createModelWidget(ui, name)
    });
    app.commands.addCommand(ModelCommandIDs.create, {
      label: trans.__('New Model…'),
      caption: trans.__('Train a template on your data paths and keep the result as a model'),
      icon: modelsIcon,
      execute: () => ui.newModel()
    });
    const category = trans.__('Platform');
    palette?.addItem({ command: ModelCommandIDs.openPanel, category });
    palette?.addItem({ command: ModelCommandIDs.create, category });
    addPlatformCard(app, launcher, trans, {
      name: 'models',
      label: trans.__('New model'),
      caption: trans.__('Train a template on your data paths and keep the result as a model'),
      icon: modelsIcon,
      rank: 25,
      execute: async () => {
        showPanel();
        await ui.newModel();
      }
    });

    // The job view's "Publish": shown for a model training, enabled once it completed unpublished.
    const trainingOf = (args: { job?: unknown }): ITraining | null =>
      typeof args.job === 'string' ? trainingsOfJobs.get(args.job) : null;
    app.commands.addCommand(ModelCommandIDs.publishJob, {
      label: trans.__('Publish'),
      caption: args => {
        const training = trainingOf(args);
        if (training?.version) {
          return trans.__('Published as version %1 of %2', training.version, training.model);
        }
        return training?.state === 'completed'
          ? trans.__('Publish this training as the next version of %1', training.model)
          : trans.__('Only a completed training can be published');
      },
      icon: modelsIcon,
      isVisible: args => trainingOf(args) !== null,
      isEnabled: args => trainingOf(args)?.state === 'completed',
      execute: async args => {
        const training = trainingOf(args);
        if (!training) {
          return;
        }
        const version = await publishTraining(ui, training);
        if (version) {
          ui.openModel(version.model);
        }
      }
    });
    app.serviceManager.events.stream.connect((_, emission) => trainingsOfJobs.onEvent(emission));
  }
};

/**
 * Which jobs run model trainings, asked once per job a view shows and again when the server
 * says the job changed (its event) or something was published here; `changed` redraws the button.
 */
class TrainingsOfJobs {
  constructor(private readonly changed: () => void) {}

  /** The job's training as last fetched (null: unknown yet, or no training); fetches when unknown. */
  get(job: string): ITraining | null {
    if (!this._known.has(job)) {
      void this._fetch(job);
      return null;
    }
    return this._known.get(job) ?? null;
  }

  /** Everything may have changed (a publish here): ask again for the jobs shown. */
  forget(): void {
    for (const job of [...this._known.keys()]) {
      void this._fetch(job);
    }
  }

  onEvent(emission: Event.Emission): void {
    const job = (emission as { job_id?: unknown }).job_id;
    if (typeof job === 'string' && this._known.has(job)) {
      void this._fetch(job);
    }
  }

  private async _fetch(job: string): Promise<void> {
    if (this._pending.has(job)) {
      return;
    }
    this._pending.add(job);
    try {
      this._known.set(job, await modelsApi.trainingOfJob(job));
    } catch {
      // Without an answer the button stays hidden; the next event or publish asks again.
      this._known.set(job, null);
    } finally {
      this._pending.delete(job);
    }
    this.changed();
  }

  private _known = new Map<string, ITraining | null>();
  private _pending = new Set<string>();
}
