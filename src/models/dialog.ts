/**
 * "New model" in the seed's four steps: template (a module with a train action) and its model
 * parameters → data paths (each checked live) → training parameters → preprocessing. The
 * parameters are the template's own train inputs, drawn by the Modules panel's form fields from
 * the module spec's groups. "Retrain" opens the same steps prefilled from a version: name and
 * template fixed, its paths kept (new ones can be added).
 */
import { Dialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { ApiError } from '../api';
import { el, field } from '../platform/dom';
import { errorMessage } from '../platform/format';
import { modulesApi } from '../modules/client';
import { FormField } from '../modules/form';
import type { IFieldSpec, IModuleDetail, IModuleSummary } from '../modules/model';
import { Environment, IModel, ITraining, IVersion, modelsApi } from './client';
import { isModelName } from './model';
import { PathList } from './paths';

/** The module spec groups each parameter step shows (ungrouped inputs go with the model's). */
const STEP_GROUPS: Record<'model' | 'training' | 'preprocessing', (group: string | null) => boolean> = {
  model: group => group === null || group === 'Model',
  training: group => group === 'Training parameters',
  preprocessing: group => group === 'Preprocessing'
};
/** Inputs the library fills itself: the data (the model's paths) and a configuration file. */
const LIBRARY_INPUTS = new Set(['data_dir', 'config']);

type StepName = 'template' | 'paths' | 'training' | 'preprocessing';
const STEPS: StepName[] = ['template', 'paths', 'training', 'preprocessing'];

export interface IRetrain {
  model: IModel;
  version: IVersion | null;
}

/** What the dialog made: the new model, or the retraining started. */
export type DialogOutcome = { kind: 'created'; model: IModel } | { kind: 'retrain'; training: ITraining };

function stepTitle(trans: TranslationBundle, step: StepName): string {
  switch (step) {
    case 'template':
      return trans.__('Template');
    case 'paths':
      return trans.__('Data paths');
    case 'training':
      return trans.__('Training parameters');
    case 'preprocessing':
      return trans.__('Preprocessing');
  }
}

class NewModelWizard extends Widget {
  constructor(
    private readonly trans: TranslationBundle,
    private readonly templates: IModuleSummary[],
    datasets: string[],
    private readonly retrain: IRetrain | null,
    private readonly finish: (outcome: DialogOutcome) => void,
    private readonly cancel: () => void
  ) {
    super({ node: el('div', 'jp-ModelsWizard') });
    const model = retrain?.model ?? null;
    this._steps = el('ol', 'jp-ModelsWizard-steps');
    this._stepItems = STEPS.map((step, index) => {
      const item = el('li', 'jp-ModelsWizard-step');
      item.dataset.step = step;
      item.append(el('span', 'jp-ModelsWizard-stepNumber', String(index + 1)), el('span', '', stepTitle(trans, step)));
      this._steps.append(item);
      return item;
    });

    // Step 1: name, description, template and the template's model parameters.
    this._name = el('input', 'jp-mod-styled jp-ModelsWizard-name');
    this._name.placeholder = trans.__('e.g. defect-classifier');
    this._name.maxLength = 60;
    this._name.spellcheck = false;
    this._nameError = el('div', 'jp-ModelsWizard-error');
    this._description = el('textarea', 'jp-mod-styled jp-ModelsWizard-description');
    this._description.rows = 2;
    this._template = el('select', 'jp-mod-styled jp-ModelsWizard-template');
    for (const template of templates) {
      const label = template.version ? `${template.name} (v${template.version})` : template.name;
      this._template.append(new Option(label, template.name));
    }
    this._template.addEventListener('change', () => void this._loadTemplate());
    this._templateInfo = el('div', 'jp-ModelsWizard-templateInfo');
    this._modelFields = el('div', 'jp-ModelsWizard-fields');
    const template = el('div', 'jp-ModelsWizard-page');
    template.dataset.step = 'template';
    template.append(
      field('jp-ModelsDialog', trans.__('Model name'), this._name, this._nameError),
      field('jp-ModelsDialog', trans.__('Description'), this._description),
      field('jp-ModelsDialog', trans.__('Template'), this._template, this._templateInfo),
      el('div', 'jp-ModelsWizard-heading', trans.__('Model parameters')),
      this._modelFields
    );

    // Step 2: data paths.
    this._paths = new PathList(trans, datasets);
    this._paths.onChange = () => this._updateButtons();
    const paths = el('div', 'jp-ModelsWizard-page');
    paths.dataset.step = 'paths';
    paths.append(
      el(
        'p',
        'jp-ModelsWizard-note',
        retrain?.version
          ? trans.__('The paths of version %1 stay; add the folders of new training images.', retrain.version.version)
          : retrain
            ? trans.__("The model's paths stay; add the folders of new training images.")
            : trans.__(
                'The folders of training images: one subfolder of images per class. A path without images is invalid.'
              )
      ),
      this._paths.node
    );

    // Step 3: where it trains and the training parameters; step 4: preprocessing.
    this._env = el('select', 'jp-mod-styled jp-ModelsWizard-env');
    this._env.append(new Option(trans.__('CPU'), 'cpu'), new Option(trans.__('GPU'), 'gpu'));
    this._trainingFields = el('div', 'jp-ModelsWizard-fields');
    const training = el('div', 'jp-ModelsWizard-page');
    training.dataset.step = 'training';
    training.append(field('jp-ModelsDialog', trans.__('Compute'), this._env), this._trainingFields);
    this._preprocessingFields = el('div', 'jp-ModelsWizard-fields');
    const preprocessing = el('div', 'jp-ModelsWizard-page');
    preprocessing.dataset.step = 'preprocessing';
    preprocessing.append(this._preprocessingFields);
    this._pages = [template, paths, training, preprocessing];

    this._status = el('div', 'jp-ModelsWizard-status');
    this._status.setAttribute('aria-live', 'polite');
    this._back = this._button(trans._p('wizard', 'Back'), 'back', () => this._go(this._step - 1));
    this._next = this._button(trans._p('wizard', 'Next'), 'next', () => void this._advance());
    this._next.classList.add('jp-mod-accept');
    const close = this._button(trans.__('Cancel'), 'cancel', () => this.cancel());
    close.classList.add('jp-mod-reject');
    const footer = el('div', 'jp-ModelsWizard-footer');
    footer.append(this._status, close, this._back, this._next);
    const body = el('div', 'jp-ModelsWizard-body');
    body.append(...this._pages);
    this.node.append(this._steps, body, footer);

    if (model) {
      this._name.value = model.name;
      this._name.disabled = true;
      this._description.value = model.description;
      this._description.disabled = true;
      this._template.value = model.template;
      this._template.disabled = true;
      for (const path of retrain?.version?.data_paths ?? model.data_paths) {
        this._paths.add(path, true);
      }
    }
    this._name.addEventListener('input', () => this._checkName(false));
    // A message about the fields goes while they are being fixed; Next checks them again.
    body.addEventListener('input', () => this._setStatus('', false));
    this._go(0);
    void this._loadTemplate();
  }

  dispose(): void {
    this._paths.dispose();
    super.dispose();
  }

  private _button(label: string, action: string, onClick: () => void): HTMLButtonElement {
    const button = el('button', 'jp-Dialog-button jp-mod-styled', label);
    button.type = 'button';
    button.dataset.action = action;
    button.addEventListener('click', onClick);
    return button;
  }

  /** The spec of the chosen template; its fields prefilled with the retrained version's config. */
  private async _loadTemplate(): Promise<void> {
    const trans = this.trans;
    const name = this._template.value;
    const summary = this.templates.find(template => template.name === name);
    this._templateInfo.textContent = summary
      ? [summary.title, summary.framework, summary.task, summary.description].filter(Boolean).join(' · ')
      : '';
    this._fields = [];
    this._module = null;
    for (const box of [this._modelFields, this._trainingFields, this._preprocessingFields]) {
      box.replaceChildren(el('div', 'jp-ModelsWizard-note', trans.__('Loading the template…')));
    }
    let module: IModuleDetail;
    try {
      module = await modulesApi.getModule(name);
    } catch (error) {
      this._modelFields.replaceChildren(el('div', 'jp-ModelsWizard-error', errorMessage(error)));
      return;
    }
    if (this.isDisposed || this._template.value !== name) {
      return;
    }
    this._module = module;
    const inputs = (module.spec?.actions.train?.inputs ?? []).filter(
      input => !LIBRARY_INPUTS.has(input.name) && input.item_type !== 'path'
    );
    const config = this.retrain?.version?.config ?? this.retrain?.model.config ?? {};
    const draw = (box: HTMLElement, belongs: (group: string | null) => boolean): void => {
      const fields = inputs
        .filter(input => belongs(input.group))
        .map(input => new FormField(prefilled(input, config), { trans }, []));
      this._fields.push(...fields);
      box.replaceChildren(
        ...(fields.length
          ? fields.map(f => f.node)
          : [el('div', 'jp-ModelsWizard-note', trans.__('This template has none.'))])
      );
    };
    draw(this._modelFields, STEP_GROUPS.model);
    draw(this._trainingFields, STEP_GROUPS.training);
    draw(this._preprocessingFields, STEP_GROUPS.preprocessing);
    this._updateButtons();
  }

  private _checkName(show: boolean): boolean {
    const valid = isModelName(this._name.value);
    if (show || valid) {
      this._nameError.textContent = valid
        ? ''
        : this.trans.__(
            'At most 60 characters: a letter first, then letters, digits, - or _, ending with a letter or digit.'
          );
    }
    this._name.setAttribute('aria-invalid', String(!valid));
    return valid;
  }

  /** Fields of one step valid? Shows their messages. */
  private _stepValid(step: StepName): boolean {
    if (step === 'template') {
      const nameValid = this.retrain !== null || this._checkName(true);
      const fieldsValid = this._validateFields(this._modelFields);
      return nameValid && fieldsValid && this._module !== null;
    }
    if (step === 'paths') {
      const problem = this._paths.problem();
      this._setStatus(problem ?? '', problem !== null);
      return problem === null;
    }
    return this._validateFields(step === 'training' ? this._trainingFields : this._preprocessingFields);
  }

  private _validateFields(box: HTMLElement): boolean {
    return this._fields
      .filter(f => box.contains(f.node))
      .map(f => f.validate() !== undefined)
      .every(Boolean);
  }

  private _config(): Record<string, unknown> {
    const config: Record<string, unknown> = {};
    for (const f of this._fields) {
      const result = f.validate();
      if (result && result.value !== null) {
        config[f.spec.name] = result.value;
      }
    }
    return config;
  }

  private async _advance(): Promise<void> {
    const step = STEPS[this._step];
    if (!this._stepValid(step)) {
      if (step !== 'paths') {
        this._setStatus(this.trans.__('Fix the fields marked above.'), true);
      }
      return;
    }
    this._setStatus('', false);
    if (this._step < STEPS.length - 1) {
      this._go(this._step + 1);
      return;
    }
    await this._submit();
  }

  private async _submit(): Promise<void> {
    const trans = this.trans;
    this._busy = true;
    this._updateButtons();
    this._setStatus(this.retrain ? trans.__('Starting the training…') : trans.__('Creating the model…'), false);
    const env = this._env.value as Environment;
    try {
      if (this.retrain) {
        const training = await modelsApi.train(this.retrain.model.name, {
          from_version: this.retrain.version?.version ?? null,
          data_paths: this._paths.addedPaths,
          config: this._config(),
          env
        });
        this.finish({ kind: 'retrain', training });
      } else {
        const model = await modelsApi.create({
          name: this._name.value,
          template: this._template.value,
          description: this._description.value.trim(),
          data_paths: this._paths.paths,
          config: this._config(),
          env
        });
        this.finish({ kind: 'created', model });
      }
    } catch (error) {
      this._showServerError(error);
    } finally {
      this._busy = false;
      this._updateButtons();
    }
  }

  /** The server's message; a field it names is marked, and its step shown. */
  private _showServerError(error: unknown): void {
    this._setStatus(errorMessage(error), true);
    if (!(error instanceof ApiError)) {
      return;
    }
    const fields = { ...error.fields, ...(error.field ? { [error.field]: error.message } : {}) };
    let first: StepName | null = null;
    for (const [name, message] of Object.entries(fields)) {
      const bare = name.replace(/^config\./, '');
      const f = this._fields.find(candidate => candidate.spec.name === bare);
      if (f) {
        f.showError(message);
        first ??= STEPS[this._pages.findIndex(page => page.contains(f.node))];
      } else if (name === 'name') {
        this._nameError.textContent = message;
        first ??= 'template';
      } else if (name.startsWith('data_paths')) {
        first ??= 'paths';
      }
    }
    if (first) {
      this._go(STEPS.indexOf(first));
    }
  }

  private _go(index: number): void {
    this._step = Math.max(0, Math.min(STEPS.length - 1, index));
    this._pages.forEach((page, i) => (page.hidden = i !== this._step));
    this._stepItems.forEach((item, i) => {
      item.classList.toggle('jp-mod-current', i === this._step);
      item.classList.toggle('jp-mod-done', i < this._step);
      if (i === this._step) {
        item.setAttribute('aria-current', 'step');
      } else {
        item.removeAttribute('aria-current');
      }
    });
    this._setStatus('', false);
    this._updateButtons();
  }

  private _updateButtons(): void {
    const trans = this.trans;
    const last = this._step === STEPS.length - 1;
    this._back.disabled = this._busy || this._step === 0;
    this._next.textContent = !last
      ? trans._p('wizard', 'Next')
      : this.retrain
        ? trans.__('Retrain')
        : trans.__('Create and train');
    this._next.disabled = this._busy || this._module === null;
    this.node.dataset.step = STEPS[this._step];
  }

  private _setStatus(message: string, isError: boolean): void {
    this._status.textContent = message;
    this._status.classList.toggle('jp-mod-error', isError);
  }

  private _step = 0;
  private _busy = false;
  private _module: IModuleDetail | null = null;
  private _fields: FormField[] = [];
  private _steps: HTMLOListElement;
  private _stepItems: HTMLLIElement[];
  private _pages: HTMLDivElement[];
  private _name: HTMLInputElement;
  private _nameError: HTMLDivElement;
  private _description: HTMLTextAreaElement;
  private _template: HTMLSelectElement;
  private _templateInfo: HTMLDivElement;
  private _modelFields: HTMLDivElement;
  private _paths: PathList;
  private _env: HTMLSelectElement;
  private _trainingFields: HTMLDivElement;
  private _preprocessingFields: HTMLDivElement;
  private _status: HTMLDivElement;
  private _back: HTMLButtonElement;
  private _next: HTMLButtonElement;
}

/** The input with the retrained config's value as its default (what the field starts with). */
function prefilled(input: IFieldSpec, config: Record<string, unknown>): IFieldSpec {
  return input.name in config ? { ...input, default: config[input.name], has_default: true } : input;
}

/**
 * Show the steps; resolves with what was made, or null when cancelled. Templates are the valid
 * modules with a train action; dataset folders are offered as paths.
 */
export async function newModelDialog(
  trans: TranslationBundle,
  retrain: IRetrain | null
): Promise<DialogOutcome | null> {
  const [modules, datasets] = await Promise.all([modulesApi.listModules(), modulesApi.listDatasets()]);
  const templates = modules.filter(module => module.valid && module.actions.includes('train'));
  const suggestions = datasets.map(dataset => dataset.path).filter((path): path is string => !!path);
  let outcome: DialogOutcome | null = null;
  const body = new NewModelWizard(
    trans,
    templates,
    suggestions,
    retrain,
    result => {
      outcome = result;
      dialog.resolve(0);
    },
    () => dialog.reject()
  );
  // The wizard has its own buttons; with no default button Enter in a field never closes it.
  const dialog = new Dialog({
    title: retrain?.version
      ? trans.__('Retrain %1 from version %2', retrain.model.name, retrain.version.version)
      : retrain
        ? trans.__('New training of %1', retrain.model.name)
        : trans.__('New model'),
    body,
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') })],
    defaultButton: -1,
    focusNodeSelector: retrain ? '.jp-ModelsPaths-input' : '.jp-ModelsWizard-name'
  });
  dialog.addClass('jp-ModelsWizardDialog');
  await dialog.launch();
  return outcome;
}
