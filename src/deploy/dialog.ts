/**
 * The Deploy dialog (name, description, the inputs/outputs to keep, checkpoint, workers, batching,
 * what to do with uncommitted changes) and the dialog that shows a new API key once.
 */
import { Clipboard, Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { el, field } from '../platform/dom';
import { baseName } from '../platform/format';
import type { IDeploymentPreview, IIOField } from './client';
import { KEY_VARIABLE, nameProblem, shortCommit } from './model';

/** What the user chose; `sync`: commit and push with the Git sync first, then deploy that commit. */
export interface IDeployChoice {
  name: string;
  description: string;
  checkpoint: string | null;
  inputs: string[];
  outputs: string[];
  workers: number;
  batchSize: number;
  windowMs: number;
  sync: boolean;
}

/** The dialog's starting values: a suggestion first, the user's own values when it is shown again. */
export type IDeployInitial = Partial<IDeployChoice> & { name: string };

const PREFIX = 'jp-DeployForm';

class DeployForm extends Widget implements Dialog.IBodyWidget<IDeployChoice> {
  constructor(
    private readonly trans: TranslationBundle,
    private readonly preview: IDeploymentPreview,
    initial: IDeployInitial,
    problem: string | null,
    private readonly taken: ReadonlySet<string>
  ) {
    super();
    this.addClass(PREFIX);
    const kinds: Record<IDeploymentPreview['kind'], string> = {
      module: trans.__('module run'),
      python: trans.__('Python file'),
      modelarts: trans.__('ModelArts folder')
    };
    const source = el('span', `${PREFIX}-source`);
    source.append(el('code', '', preview.source), el('span', `${PREFIX}-kind`, kinds[preview.kind]));

    this._name = el('input', `jp-mod-styled ${PREFIX}-name`);
    this._name.value = initial.name;
    this._name.maxLength = 60;
    this._name.spellcheck = false;
    this._nameProblem = el('div', `${PREFIX}-problem`);
    this._nameNote = el('div', `${PREFIX}-note`);
    this._name.addEventListener('input', () => this._check());
    this._description = el('input', `jp-mod-styled ${PREFIX}-description`);
    this._description.value = initial.description ?? '';
    this._description.placeholder = trans.__('What it does, for the people who will call it');

    this.node.append(
      field(PREFIX, trans.__('Source'), source),
      field(PREFIX, trans.__('Name'), this._name, this._nameProblem, this._nameNote),
      field(PREFIX, trans.__('Description'), this._description)
    );

    this._checkpoint = el('select', `jp-mod-styled ${PREFIX}-checkpoint`);
    for (const checkpoint of preview.checkpoints) {
      this._checkpoint.append(new Option(checkpoint, checkpoint));
    }
    if (initial.checkpoint && preview.checkpoints.includes(initial.checkpoint)) {
      this._checkpoint.value = initial.checkpoint;
    }
    if (preview.checkpoints.length > 1) {
      this.node.append(field(PREFIX, trans.__('Checkpoint'), this._checkpoint));
    }

    if (preview.config) {
      const config = el(
        'div',
        `${PREFIX}-config`,
        trans.__('From %1: keep what the service takes.', baseName(preview.config))
      );
      config.title = preview.config;
      this.node.append(config);
    }
    const io = el('div', `${PREFIX}-ioGroups`);
    this._inputs = this._fields(io, 'inputs', trans.__('Inputs'), preview.inputs, initial.inputs);
    this._outputs = this._fields(io, 'outputs', trans.__('Outputs'), preview.outputs, initial.outputs);
    this.node.append(io);

    this._workers = this._number('workers', initial.workers ?? 1, 1, 16);
    this._batchSize = this._number('batch', initial.batchSize ?? 1, 1, 256);
    this._windowMs = this._number('window', initial.windowMs ?? 5, 0, 1000);
    const serving = el('span', `${PREFIX}-inline`);
    // One translated sentence with the inputs in place of its %1 %2 %3 (kept as marks by the arguments).
    const sentence = trans.__('%1 workers; batches of up to %2 requests (1: none), waiting %3 ms', '%1', '%2', '%3');
    const controls = [this._workers, this._batchSize, this._windowMs];
    serving.append(
      ...sentence
        .split(/(%[123])/)
        .filter(part => part)
        .map(part => (/^%[123]$/.test(part) ? controls[Number(part[1]) - 1] : el('span', '', part.trim())))
    );
    this.node.append(field(PREFIX, trans.__('Serving'), serving));

    this._sync = el('input');
    this.node.append(this._gitState(initial.sync ?? true));
    this._check(problem);
  }

  getValue(): IDeployChoice {
    const checked = (boxes: HTMLInputElement[]): string[] => boxes.filter(box => box.checked).map(box => box.value);
    return {
      name: this._name.value.trim(),
      description: this._description.value.trim(),
      checkpoint: this.preview.checkpoints.length ? this._checkpoint.value : null,
      inputs: checked(this._inputs),
      outputs: checked(this._outputs),
      workers: this._value(this._workers, 1),
      batchSize: this._value(this._batchSize, 1),
      windowMs: this._value(this._windowMs, 5),
      sync: this.preview.uncommitted && this._sync.checked
    };
  }

  /** Show what is wrong with the name (the server's own words when it refused it), or that it exists. */
  private _check(problem: string | null = null): void {
    const name = this._name.value.trim();
    const text = problem ?? nameProblem((message, ...args) => this.trans.__(message, ...args), name);
    this._nameProblem.textContent = text ?? '';
    this._name.classList.toggle('jp-mod-invalid', text !== null);
    this._nameNote.textContent =
      text === null && this.taken.has(name)
        ? this.trans.__(
            '%1 is deployed already: this deploys a new version of it. Its API keys stay valid, and Roll back returns to the current one.',
            name
          )
        : '';
  }

  /** A checkbox per input or output, all kept unless the user kept fewer before. */
  private _fields(
    parent: HTMLElement,
    kind: string,
    title: string,
    fields: IIOField[],
    kept?: string[]
  ): HTMLInputElement[] {
    if (!fields.length) {
      return [];
    }
    const list = el('div', `${PREFIX}-io`);
    list.dataset.kind = kind;
    const boxes = fields.map(item => {
      const box = el('input');
      box.type = 'checkbox';
      box.value = item.name;
      box.checked = kept === undefined || kept.includes(item.name);
      const label = el('label', `${PREFIX}-ioItem`);
      label.title = item.help;
      label.append(box, el('span', `${PREFIX}-ioName`, item.name), el('span', `${PREFIX}-ioType`, item.type));
      if (item.help) {
        label.append(el('span', `${PREFIX}-ioHelp`, item.help));
      }
      list.append(label);
      return box;
    });
    const group = el('div', `${PREFIX}-ioGroup`);
    group.append(el('span', `${PREFIX}-label`, title), list);
    parent.append(group);
    return boxes;
  }

  private _number(name: string, value: number, min: number, max: number): HTMLInputElement {
    const input = el('input', `jp-mod-styled ${PREFIX}-number ${PREFIX}-${name}`);
    input.type = 'number';
    input.min = String(min);
    input.max = String(max);
    input.step = '1';
    input.value = String(value);
    return input;
  }

  private _value(input: HTMLInputElement, fallback: number): number {
    const value = Number(input.value);
    if (!Number.isFinite(value) || input.value.trim() === '') {
      return fallback;
    }
    return Math.min(Number(input.max), Math.max(Number(input.min), Math.round(value)));
  }

  /** The commit the deployment binds, or the choice between syncing first and deploying as is. */
  private _gitState(sync: boolean): HTMLElement {
    const trans = this.trans;
    const { commit, uncommitted } = this.preview;
    const box = el('div', `${PREFIX}-git`);
    if (!uncommitted) {
      box.dataset.state = commit ? 'committed' : 'no-commit';
      box.textContent = commit
        ? trans.__('Bound to commit %1: a rollback redeploys exactly this code.', shortCommit(commit) ?? '')
        : this.preview.repository
          ? trans.__('The repository has no commit yet: the deployment records none.')
          : trans.__('The workspace is not a git repository: the deployment records no commit.');
      return box;
    }
    box.dataset.state = 'uncommitted';
    box.classList.add('jp-mod-warning');
    box.append(el('div', `${PREFIX}-gitTitle`, trans.__('The workspace has uncommitted changes.')));
    const option = (checked: boolean, text: string, value: string): [HTMLLabelElement, HTMLInputElement] => {
      const radio = el('input');
      radio.type = 'radio';
      radio.name = 'jp-deploy-git';
      radio.value = value;
      radio.checked = checked;
      const label = el('label', `${PREFIX}-gitOption`);
      label.append(radio, el('span', '', text));
      return [label, radio];
    };
    const [syncLabel, syncRadio] = option(sync, trans.__('Sync first, then deploy the new commit'), 'sync');
    const [asIsLabel] = option(!sync, trans.__('Deploy the working state, marked "uncommitted"'), 'uncommitted');
    this._sync = syncRadio;
    box.append(syncLabel, asIsLabel);
    return box;
  }

  private _name: HTMLInputElement;
  private _nameProblem: HTMLDivElement;
  private _nameNote: HTMLDivElement;
  private _description: HTMLInputElement;
  private _checkpoint: HTMLSelectElement;
  private _inputs: HTMLInputElement[];
  private _outputs: HTMLInputElement[];
  private _workers: HTMLInputElement;
  private _batchSize: HTMLInputElement;
  private _windowMs: HTMLInputElement;
  private _sync: HTMLInputElement;
}

/**
 * Ask how to deploy what `preview` describes; null when cancelled. `problem` is shown under the name
 * (the server refused the previous one); a name that cannot be valid asks again. `taken`: the names
 * deployed already (deploying one of them makes a new version of it).
 */
export async function askDeploy(
  trans: TranslationBundle,
  preview: IDeploymentPreview,
  initial: IDeployInitial,
  problem: string | null,
  taken: ReadonlySet<string>
): Promise<IDeployChoice | null> {
  let values = initial;
  let shown = problem;
  for (;;) {
    const result = await showDialog<IDeployChoice>({
      title: trans.__('Deploy'),
      body: new DeployForm(trans, preview, values, shown, taken),
      focusNodeSelector: `.${PREFIX}-name`,
      buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.okButton({ label: trans.__('Deploy') })]
    });
    if (!result.button.accept || !result.value) {
      return null;
    }
    shown = nameProblem((message, ...args) => trans.__(message, ...args), result.value.name);
    if (shown === null) {
      return result.value;
    }
    values = result.value;
  }
}

/** A new API key, shown this once (only its hash is kept), with a copy button and the warning. */
export async function showKey(trans: TranslationBundle, name: string, key: string): Promise<void> {
  const body = el('div', 'jp-DeployKey');
  const text = el('input', 'jp-mod-styled jp-DeployKey-key');
  text.readOnly = true;
  text.value = key;
  text.spellcheck = false;
  text.addEventListener('focus', () => text.select());
  const copy = el('button', 'jp-Button jp-mod-styled jp-mod-accept jp-DeployKey-copy', trans.__('Copy'));
  copy.type = 'button';
  copy.addEventListener('click', () => {
    Clipboard.copyToSystem(key);
    copy.textContent = trans.__('Copied');
  });
  const row = el('div', 'jp-DeployKey-row');
  row.append(text, copy);
  body.append(
    el(
      'p',
      'jp-DeployKey-intro',
      trans.__('Callers outside JupyterLab send this key as "Authorization: Bearer <key>".')
    ),
    row,
    el(
      'p',
      'jp-DeployKey-warning',
      trans.__(
        'This key is shown only now: only its hash is stored. Copy it somewhere safe (e.g. the %1 environment variable); if it is lost, make a new key.',
        KEY_VARIABLE
      )
    )
  );
  await showDialog({
    title: trans.__('API key of %1', name),
    body: new Widget({ node: body }),
    buttons: [Dialog.okButton({ label: trans.__('Done') })]
  });
}
