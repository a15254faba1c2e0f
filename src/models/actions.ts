/**
 * What the model page and the job view do to trainings and versions: publish, terminate, start
 * again, delete, set or remove an alias, batch-predict, export. Each asks first when it destroys
 * something and says what happened (or the server's message) in a toast.
 */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { Widget } from '@lumino/widgets';

import { el, field } from '../platform/dom';
import { errorMessage } from '../platform/format';
import { INFO_TOAST_MS, showError } from '../platform/notify';
import { ExportFormat, ITraining, IVersion, modelsApi } from './client';
import { IModelsUI } from './host';
import { PathCheck } from './paths';

/** A text button of the model page (`action` names it for tests and styles). */
export function actionButton(label: string, action: string, onClick: () => void, title = ''): HTMLButtonElement {
  const button = el('button', 'jp-Button jp-mod-styled jp-ModelPage-action', label);
  button.type = 'button';
  button.dataset.action = action;
  if (title) {
    button.title = title;
  }
  button.addEventListener('click', onClick);
  return button;
}

async function confirm(ui: IModelsUI, title: string, body: string, action: string): Promise<boolean> {
  const result = await showDialog({
    title,
    body,
    buttons: [Dialog.cancelButton({ label: ui.trans.__('Cancel') }), Dialog.warnButton({ label: action })]
  });
  return result.button.accept;
}

/** Run `call`; on success tell the lists, on failure show the server's message. */
async function act<T>(ui: IModelsUI, call: () => Promise<T>): Promise<T | null> {
  try {
    const result = await call();
    ui.changed();
    return result;
  } catch (error) {
    showError(error);
    return null;
  }
}

/** Publish a completed training as the model's next version X.YY. */
export async function publishTraining(ui: IModelsUI, training: ITraining): Promise<IVersion | null> {
  const trans = ui.trans;
  const version = await act(ui, () => modelsApi.publish(training.model, training.id));
  if (version) {
    Notification.success(trans.__('%1 published as version %2', version.model, version.version), {
      autoClose: INFO_TOAST_MS,
      actions: [{ label: trans.__('Open model'), callback: () => ui.openModel(version.model) }]
    });
  }
  return version;
}

export async function terminateTraining(ui: IModelsUI, training: ITraining): Promise<void> {
  const trans = ui.trans;
  const ok = await confirm(
    ui,
    trans.__('Terminate training?'),
    trans.__('Stop the training of %1 (job %2)? It can be started again later.', training.model, training.job_id),
    trans.__('Terminate')
  );
  if (ok) {
    await act(ui, () => modelsApi.terminate(training.model, training.id));
  }
}

export async function startTrainingAgain(ui: IModelsUI, training: ITraining): Promise<void> {
  const started = await act(ui, () => modelsApi.startAgain(training.model, training.id));
  if (started) {
    Notification.info(ui.trans.__('Training of %1 started again as job %2', started.model, started.job_id), {
      autoClose: INFO_TOAST_MS,
      actions: [{ label: ui.trans.__('Open job'), callback: () => ui.openJob(started.job_id) }]
    });
  }
}

export async function deleteTraining(ui: IModelsUI, training: ITraining): Promise<void> {
  const trans = ui.trans;
  const ok = await confirm(
    ui,
    trans.__('Delete training?'),
    training.version
      ? trans.__('Delete this training of %1? Version %2 published from it stays.', training.model, training.version)
      : trans.__('Delete this training of %1 with its job? Its run folder in results/ stays.', training.model),
    trans.__('Delete')
  );
  if (ok) {
    await act(ui, () => modelsApi.removeTraining(training.model, training.id));
  }
}

/** The alias dialog's body: an alias name, suggested from the model's own and the usual ones. */
class AliasForm extends Widget implements Dialog.IBodyWidget<string> {
  constructor(ui: IModelsUI, version: IVersion, existing: string[]) {
    super({ node: el('div', 'jp-ModelsDialog-small') });
    const trans = ui.trans;
    this._input = el('input', 'jp-mod-styled jp-ModelsAliasForm-name');
    this._input.placeholder = 'production';
    const list = el('datalist');
    list.id = `jp-ModelsAliasForm-${Math.random().toString(36).slice(2, 8)}`;
    for (const alias of new Set([...existing, 'production', 'staging'])) {
      list.append(new Option(alias, alias));
    }
    this._input.setAttribute('list', list.id);
    this.node.append(
      el(
        'p',
        '',
        trans.__('Point an alias at version %1 of %2. An alias that exists moves here.', version.version, version.model)
      ),
      field('jp-ModelsDialog', trans.__('Alias'), this._input, list)
    );
  }

  getValue(): string {
    return this._input.value.trim();
  }

  private _input: HTMLInputElement;
}

export async function setAlias(ui: IModelsUI, version: IVersion, existing: string[]): Promise<void> {
  const trans = ui.trans;
  const result = await showDialog({
    title: trans.__('Set alias'),
    body: new AliasForm(ui, version, existing),
    focusNodeSelector: 'input',
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.okButton({ label: trans.__('Set') })]
  });
  const alias = result.value;
  if (result.button.accept && alias) {
    await moveAlias(ui, version.model, alias, version.version);
  }
}

export async function moveAlias(ui: IModelsUI, model: string, alias: string, version: string): Promise<void> {
  await act(ui, () => modelsApi.setAlias(model, alias, version));
}

export async function removeAlias(ui: IModelsUI, model: string, alias: string): Promise<void> {
  const trans = ui.trans;
  const ok = await confirm(
    ui,
    trans.__('Remove alias?'),
    trans.__('Remove the alias %1 of %2? Whatever loads %2@%1 stops finding it.', alias, model),
    trans.__('Remove')
  );
  if (ok) {
    await act(ui, () => modelsApi.removeAlias(model, alias));
  }
}

/** The batch-prediction dialog's body: a data path, checked as it is typed. */
class PredictForm extends Widget implements Dialog.IBodyWidget<string> {
  constructor(ui: IModelsUI, version: IVersion) {
    super({ node: el('div', 'jp-ModelsDialog-small') });
    const trans = ui.trans;
    this._check = new PathCheck(trans);
    this.node.append(
      el(
        'p',
        '',
        trans.__(
          'Predict every image of a folder with version %1 of %2, as a job. A folder of class folders also gets an evaluation report.',
          version.version,
          version.model
        )
      ),
      field('jp-ModelsDialog', trans.__('Data path'), this._check.input, this._check.status)
    );
  }

  getValue(): string {
    return this._check.input.value.trim();
  }

  dispose(): void {
    this._check.dispose();
    super.dispose();
  }

  private _check: PathCheck;
}

export async function batchPredict(ui: IModelsUI, version: IVersion): Promise<void> {
  const trans = ui.trans;
  const result = await showDialog({
    title: trans.__('Batch prediction'),
    body: new PredictForm(ui, version),
    focusNodeSelector: 'input',
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.okButton({ label: trans.__('Predict') })]
  });
  const path = result.value;
  if (!result.button.accept || !path) {
    return;
  }
  const started = await act(ui, () => modelsApi.predict(version.model, version.version, path, 'cpu'));
  if (started) {
    Notification.info(
      trans.__('Predicting %1 with %2@%3 as job %4', path, started.model, started.version, started.job_id),
      {
        autoClose: INFO_TOAST_MS
      }
    );
  }
}

/** Download the version converted to `format` (the browser saves the file). */
export async function exportVersion(ui: IModelsUI, version: IVersion, format: ExportFormat): Promise<void> {
  const trans = ui.trans;
  const toast = Notification.emit(
    trans.__('Exporting %1@%2 as %3…', version.model, version.version, format),
    'in-progress',
    {
      autoClose: false
    }
  );
  try {
    const file = await modelsApi.export(version.model, version.version, format);
    const url = URL.createObjectURL(file.blob);
    const link = el('a');
    link.href = url;
    link.download = file.filename;
    document.body.append(link);
    link.click();
    link.remove();
    // The browser has taken the file once the click is handled.
    setTimeout(() => URL.revokeObjectURL(url), 60000);
    Notification.update({
      id: toast,
      message: trans.__('Exported %1@%2 as %3', version.model, version.version, file.filename),
      type: 'success',
      autoClose: INFO_TOAST_MS
    });
  } catch (error) {
    Notification.update({
      id: toast,
      message: trans.__('Cannot export %1@%2 as %3: %4', version.model, version.version, format, errorMessage(error)),
      type: 'error',
      autoClose: false
    });
  }
}
