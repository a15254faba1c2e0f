/** "Evaluate": choose what to evaluate a run on (its val or train split, or a folder), then start it. */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { el } from '../platform/dom';
import { errorMessage } from '../platform/format';
import { evaluationApi } from './client';

/** The dialog's body: a choice of split or folder. */
class DataChoice extends Widget {
  constructor(trans: TranslationBundle, run: string, hasSplit: boolean) {
    super({ node: el('div', 'jp-EvalDialog') });
    this._select = el('select', 'jp-mod-styled jp-EvalDialog-data');
    const options: [string, string][] = [
      ['val', trans.__('Its validation split')],
      ['train', trans.__('Its training split')],
      ['folder', trans.__('A folder of class folders…')]
    ];
    for (const [value, label] of options) {
      const option = el('option', '', label);
      option.value = value;
      option.disabled = !hasSplit && value !== 'folder';
      this._select.append(option);
    }
    this._select.value = hasSplit ? 'val' : 'folder';
    this._folder = el('input', 'jp-mod-styled jp-EvalDialog-folder');
    this._folder.placeholder = trans.__('e.g. datasets/shapes-test');
    const update = (): void => {
      this._folder.hidden = this._select.value !== 'folder';
    };
    this._select.addEventListener('change', update);
    update();
    const intro = el('p', '', trans.__('Evaluate %1 on:', run));
    const note = el(
      'p',
      'jp-EvalDialog-note',
      hasSplit ? '' : trans.__('This run saved no split (it was trained before splits were saved): choose a folder.')
    );
    this.node.append(intro, this._select, this._folder, note);
  }

  getValue(): string {
    return this._select.value === 'folder' ? this._folder.value.trim() : this._select.value;
  }

  private _select: HTMLSelectElement;
  private _folder: HTMLInputElement;
}

/** Ask what to evaluate `run` on and start the evaluation as a job; resolves to its id, or null. */
export async function evaluateRun(
  trans: TranslationBundle,
  run: string,
  hasSplit: boolean,
  data?: string
): Promise<string | null> {
  let chosen = data;
  if (!chosen) {
    const result = await showDialog({
      title: trans.__('Evaluate'),
      body: new DataChoice(trans, run, hasSplit),
      buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.okButton({ label: trans.__('Evaluate') })]
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    chosen = result.value;
  }
  try {
    const started = await evaluationApi.start(run, chosen);
    Notification.info(trans.__('Evaluating %1 as job %2', run, started.job_id), { autoClose: 4000 });
    return started.id;
  } catch (error) {
    Notification.error(trans.__('Cannot evaluate %1: %2', run, errorMessage(error)), { autoClose: false });
    return null;
  }
}
