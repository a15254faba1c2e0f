/**
 * A model's page in a main-area tab: what it is (template, type, data paths), its versions with
 * their metrics side by side, its aliases and their history, and its training tasks. Polled while
 * shown, updated in place.
 */
import { Dialog, MainAreaWidget, showDialog } from '@jupyterlab/apputils';
import { addIcon, deleteIcon, refreshIcon } from '@jupyterlab/ui-components';

import { actionToolbarButton, el } from '../platform/dom';
import { errorMessage, formatTime, MISSING } from '../platform/format';
import { setText } from '../platform/keyed';
import { showError } from '../platform/notify';
import { WhileShownWidget } from '../platform/shown';
import { AliasesSection } from './aliases';
import { IModel, IVersion, modelsApi } from './client';
import { IModelsUI } from './host';
import { modelsIcon } from './icons';
import { isPredictionActive, isTrainingActive } from './states';
import { TrainingsSection } from './trainings';
import { VersionsSection } from './versions';

/** While a training or prediction runs the page follows it closely; otherwise it only looks now and then. */
const BUSY_POLL_MS = 2000;
const IDLE_POLL_MS = 10000;

export class ModelPage extends WhileShownWidget {
  constructor(
    private readonly ui: IModelsUI,
    readonly modelName: string
  ) {
    super();
    this.addClass('jp-ModelPage');
    this._title = el('h1', 'jp-ModelPage-title', modelName);
    this._meta = el('div', 'jp-ModelPage-meta');
    this._description = el('p', 'jp-ModelPage-description');
    this._paths = el('div', 'jp-ModelPage-paths');
    this._error = el('p', 'jp-ModelPage-error');
    const header = el('header', 'jp-ModelPage-header');
    header.append(this._title, this._meta, this._description, this._paths, this._error);
    this._versions = new VersionsSection(ui);
    this._versions.onSelect = () => void this._loadPredictions();
    this._aliases = new AliasesSection(ui, modelName);
    this._trainings = new TrainingsSection(ui);
    this.node.append(header, this._versions.node, this._aliases.node, this._trainings.node);
  }

  get model(): IModel | null {
    return this._model;
  }

  /** The newest version, what "Retrain" starts from (null before the first publish). */
  get latestVersion(): IVersion | null {
    return this._versions.latest;
  }

  /** Called with the model whenever it was fetched (the tab's title follows it). */
  onModel: ((model: IModel) => void) | null = null;

  async refresh(): Promise<void> {
    const name = this.modelName;
    try {
      const [model, versions, aliases, trainings] = await Promise.all([
        modelsApi.get(name),
        modelsApi.versions(name),
        modelsApi.aliases(name),
        modelsApi.trainings(name)
      ]);
      if (this.isDisposed) {
        return;
      }
      this._model = model;
      setText(this._error, '');
      this._renderHeader(model);
      this._versions.update(model, versions);
      this._aliases.update(aliases, versions);
      this._trainings.update(trainings);
      this._training = trainings.some(training => isTrainingActive(training.state));
      this.onModel?.(model);
    } catch (error) {
      this._gone = (error as { status?: number }).status === 404;
      setText(this._error, this._gone ? this.ui.trans.__('This model no longer exists.') : errorMessage(error));
      return;
    }
    await this._loadPredictions();
  }

  protected get pollMs(): number {
    return this._training || this._predicting ? BUSY_POLL_MS : IDLE_POLL_MS;
  }

  protected canPoll(): boolean {
    return !this._gone;
  }

  protected async poll(): Promise<boolean> {
    if (!document.hidden) {
      await this.refresh();
    }
    return !this._gone;
  }

  private async _loadPredictions(): Promise<void> {
    const version = this._versions.selected;
    if (!version) {
      return;
    }
    try {
      const predictions = await modelsApi.predictions(this.modelName, version.version);
      this._predicting = predictions.some(prediction => isPredictionActive(prediction.state));
      this._versions.updatePredictions(predictions);
    } catch (error) {
      setText(this._error, errorMessage(error));
    }
  }

  private _renderHeader(model: IModel): void {
    const trans = this.ui.trans;
    setText(
      this._meta,
      trans.__(
        '%1 · template %2 v%3 · created by %4 %5 · changed by %6 %7',
        model.task || MISSING,
        model.template,
        model.template_version,
        model.created_by,
        formatTime(model.created_at),
        model.updated_by,
        formatTime(model.updated_at)
      )
    );
    setText(this._description, model.description);
    this._description.hidden = !model.description;
    const bound = new Set(model.fixed_data_paths);
    const paths = model.data_paths.map(path => (bound.has(path) ? path : trans.__('%1 (added)', path)));
    setText(this._paths, trans.__('Data paths: %1', paths.join(', ') || MISSING));
  }

  private _model: IModel | null = null;
  private _gone = false;
  private _training = false;
  private _predicting = false;
  private _title: HTMLHeadingElement;
  private _meta: HTMLDivElement;
  private _description: HTMLParagraphElement;
  private _paths: HTMLDivElement;
  private _error: HTMLParagraphElement;
  private _versions: VersionsSection;
  private _aliases: AliasesSection;
  private _trainings: TrainingsSection;
}

/** The page in a tab, with "Retrain" (the newest version, or a new training before any), Refresh and Delete. */
export function createModelWidget(ui: IModelsUI, name: string): MainAreaWidget<ModelPage> {
  const trans = ui.trans;
  const content = new ModelPage(ui, name);
  const widget = new MainAreaWidget({ content, translator: ui.translator });
  widget.id = `jlab-platform-model-${name}`;
  widget.addClass('jp-ModelPagePanel');
  widget.title.icon = modelsIcon;
  widget.title.label = name;
  widget.title.caption = trans.__('Model %1', name);
  widget.title.closable = true;

  const retrain = actionToolbarButton({
    icon: addIcon,
    label: trans.__('New training'),
    tooltip: trans.__('Train again: from the newest version (its parameters and data paths), with paths added'),
    className: 'jp-ModelPage-retrain',
    onClick: () => {
      const model = content.model;
      if (model) {
        void ui.newModel({ model, version: content.latestVersion });
      }
    }
  });
  const refresh = actionToolbarButton({
    icon: refreshIcon,
    tooltip: trans.__('Refresh'),
    className: 'jp-ModelPage-refresh',
    onClick: () => void content.refresh()
  });
  const remove = actionToolbarButton({
    icon: deleteIcon,
    label: trans.__('Delete model'),
    tooltip: trans.__('Delete the model with its versions and aliases'),
    className: 'jp-ModelPage-delete',
    onClick: () => void deleteModel(ui, widget, name)
  });
  widget.toolbar.addItem('retrain', retrain);
  widget.toolbar.addItem('refresh', refresh);
  widget.toolbar.addItem('delete', remove);
  content.onModel = model => {
    widget.title.caption = trans.__(
      'Model %1 (%2, latest version %3)',
      model.name,
      model.task,
      model.latest_version ?? MISSING
    );
  };
  void content.refresh();
  return widget;
}

async function deleteModel(ui: IModelsUI, widget: MainAreaWidget<ModelPage>, name: string): Promise<void> {
  const trans = ui.trans;
  const result = await showDialog({
    title: trans.__('Delete model?'),
    body: trans.__(
      'Delete %1 with all its versions, aliases and stored checkpoints? Its jobs and run folders in results/ stay.',
      name
    ),
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.warnButton({ label: trans.__('Delete') })]
  });
  if (!result.button.accept) {
    return;
  }
  try {
    await modelsApi.remove(name);
    ui.changed();
    widget.dispose();
  } catch (error) {
    showError(error);
  }
}
