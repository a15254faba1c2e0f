/**
 * The Train / Predict form generated from a module's spec: one control per input, checked as
 * it is typed, and again by the server when code is inserted (its messages show per field).
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { ApiError } from '../api';
import { el } from '../platform/dom';
import { errorMessage } from '../platform/format';
import { IModulesHost } from './host';
import { FieldValue, formatValue, IActionSpec, IFieldSpec, ModuleAction, parseField, rangeHint } from './model';

type Control = HTMLInputElement | HTMLSelectElement;

/** One input: its control, help and error line (also the model library's New-model steps). */
export class FormField {
  readonly node: HTMLDivElement;
  readonly control: Control;

  constructor(
    readonly spec: IFieldSpec,
    private readonly host: Pick<IModulesHost, 'trans'>,
    suggestions: string[]
  ) {
    const trans = host.trans;
    this.node = el('div', 'jp-ModulesForm-field');
    this.node.dataset.name = spec.name;
    this.node.dataset.type = spec.type;
    const id = `jp-ModulesForm-${spec.name}-${Math.random().toString(36).slice(2, 8)}`;
    const label = el('label', 'jp-ModulesForm-label', spec.label);
    label.htmlFor = id;
    if (spec.required && !spec.has_default) {
      label.append(el('span', 'jp-ModulesForm-required', ' *'));
    }
    this.control = this._makeControl(suggestions, id);
    this.control.id = id;
    this.control.name = spec.name;
    this._error = el('div', 'jp-ModulesForm-error');
    this._error.setAttribute('role', 'alert');
    const hints = [spec.help, rangeHint(spec) && trans.__('Range: %1', rangeHint(spec))].filter(Boolean);
    const help = el('div', 'jp-ModulesForm-help', hints.join(' · '));
    this.node.append(label, this.control, help, this._error);
    // Messages appear on submit and go away while the value is being fixed (on input, so the
    // layout never moves under a click on the buttons).
    this.control.addEventListener('input', () => {
      if (this.node.classList.contains('jp-mod-invalid')) {
        this.validate();
      }
    });
  }

  /** The value to send, or `undefined` (with the message shown) when it is not valid. */
  validate(): { value: FieldValue } | undefined {
    const control = this.control;
    const raw = control instanceof HTMLInputElement && control.type === 'checkbox' ? control.checked : control.value;
    const parsed = parseField(this.spec, raw, (message, ...args) => this.host.trans.__(message, ...(args as string[])));
    if ('error' in parsed) {
      this.showError(parsed.error);
      return undefined;
    }
    this.showError('');
    return parsed;
  }

  showError(message: string): void {
    const section = this.node.closest('details');
    if (message && section) {
      section.open = true; // a message inside a closed group would go unseen
    }
    this._error.textContent = message;
    this.node.classList.toggle('jp-mod-invalid', message !== '');
    this.control.setAttribute('aria-invalid', String(message !== ''));
  }

  private _makeControl(suggestions: string[], id: string): Control {
    const spec = this.spec;
    const initial = spec.default;
    if (!spec.list && spec.item_type === 'bool') {
      const box = el('input', 'jp-ModulesForm-checkbox');
      box.type = 'checkbox';
      box.checked = initial === true;
      return box;
    }
    if (!spec.list && spec.item_type === 'choice') {
      const select = el('select', 'jp-PlatformInput jp-ModulesForm-input');
      if (!spec.required || initial === null) {
        select.append(new Option('', ''));
      }
      for (const choice of spec.choices ?? []) {
        select.append(new Option(String(choice), String(choice), false, choice === initial));
      }
      return select;
    }
    const input = el('input', 'jp-PlatformInput jp-ModulesForm-input');
    input.value = formatValue(initial);
    input.spellcheck = false;
    if (!spec.list && (spec.item_type === 'int' || spec.item_type === 'float')) {
      input.type = 'number';
      input.step = spec.item_type === 'int' ? '1' : 'any';
      if (spec.range) {
        input.min = String(spec.range[0]);
        input.max = String(spec.range[1]);
      }
    } else {
      input.type = 'text';
      if (spec.list) {
        input.placeholder = this.host.trans.__('Comma-separated values');
      } else if (spec.item_type === 'path' || spec.item_type === 'image') {
        input.placeholder = this.host.trans.__('Path in the workspace, e.g. %1', suggestions[0] ?? 'datasets/…');
        if (suggestions.length) {
          const list = el('datalist');
          list.id = `${id}-suggestions`;
          list.append(...suggestions.map(path => new Option(path, path)));
          this.node.append(list);
          input.setAttribute('list', list.id);
        }
      }
    }
    return input;
  }

  private _error: HTMLDivElement;
}

/** The headings of the shipped modules' groups (the seed's steps), translated; others as written. */
function groupTitle(group: string, trans: TranslationBundle): string {
  const known: Record<string, string> = {
    Model: trans.__('Model'),
    Data: trans.__('Data'),
    'Training parameters': trans.__('Training parameters'),
    Preprocessing: trans.__('Preprocessing'),
    'Older names': trans.__('Older names')
  };
  return known[group] ?? group;
}

/**
 * Ungrouped fields first, then one collapsible section per `group` of the spec, in the order
 * the groups first appear. A group of optional, empty fields only starts closed.
 */
function groupedNodes(fields: FormField[], trans: TranslationBundle): HTMLElement[] {
  const nodes: HTMLElement[] = fields.filter(field => !field.spec.group).map(field => field.node);
  const groups = new Map<string, FormField[]>();
  for (const field of fields) {
    const group = field.spec.group;
    if (group) {
      groups.set(group, [...(groups.get(group) ?? []), field]);
    }
  }
  for (const [group, members] of groups) {
    const section = el('details', 'jp-ModulesForm-group');
    section.dataset.group = group;
    section.open = members.some(field => field.spec.required || field.spec.has_default);
    section.append(el('summary', 'jp-ModulesForm-groupTitle', groupTitle(group, trans)));
    section.append(...members.map(field => field.node));
    nodes.push(section);
  }
  return nodes;
}

export class ActionForm {
  readonly node: HTMLFormElement;

  constructor(
    private readonly host: IModulesHost,
    private readonly module: string,
    readonly action: ModuleAction,
    spec: IActionSpec,
    pathSuggestions: string[]
  ) {
    const trans = host.trans;
    this.node = el('form', 'jp-ModulesForm');
    this.node.dataset.action = action;
    this.node.noValidate = true;
    this.node.addEventListener('submit', event => {
      event.preventDefault();
      void this._submit('insert');
    });
    const title = action === 'train' ? trans.__('Train %1', module) : trans.__('Predict with %1', module);
    this.node.append(el('div', 'jp-ModulesForm-title', title));
    if (spec.description) {
      this.node.append(el('div', 'jp-ModulesForm-description', spec.description));
    }
    this._fields = spec.inputs.map(field => new FormField(field, host, pathSuggestions));
    this.node.append(...groupedNodes(this._fields, trans));
    const insert = el('button', 'jp-Button jp-mod-styled jp-mod-accept jp-ModulesForm-insert', trans.__('Insert code'));
    insert.type = 'submit';
    insert.title = trans.__('Add a cell calling the module below the active cell of the active notebook');
    const job = el('button', 'jp-Button jp-mod-styled jp-ModulesForm-job', trans.__('Run as job'));
    job.type = 'button';
    job.title = trans.__('Save the call as a script in %1/ and run it as a job', 'module_jobs');
    job.addEventListener('click', () => void this._submit('job'));
    const buttons = el('div', 'jp-ModulesForm-buttons');
    buttons.append(insert, job);
    this._status = el('div', 'jp-ModulesForm-status');
    this._status.setAttribute('aria-live', 'polite');
    this.node.append(buttons, this._status);
    this._buttons = [insert, job];
  }

  /** Every value, or null when a field is not valid (its message is shown). */
  values(): Record<string, FieldValue> | null {
    const params: Record<string, FieldValue> = {};
    let valid = true;
    for (const field of this._fields) {
      const result = field.validate();
      if (result === undefined) {
        valid = false;
      } else if (result.value !== null) {
        params[field.spec.name] = result.value;
      }
    }
    return valid ? params : null;
  }

  private async _submit(target: 'insert' | 'job'): Promise<void> {
    const trans = this.host.trans;
    const params = this.values();
    if (params === null) {
      this._setStatus(trans.__('Fix the fields marked above.'), true);
      this.node.querySelector<HTMLElement>('.jp-mod-invalid .jp-ModulesForm-input')?.focus();
      return;
    }
    this._buttons.forEach(button => (button.disabled = true));
    this._setStatus(target === 'insert' ? trans.__('Inserting…') : trans.__('Preparing the job…'), false);
    try {
      if (target === 'insert') {
        await this.host.insertCode(this.module, this.action, params);
      } else {
        await this.host.runAsJob(this.module, this.action, params);
      }
      this._setStatus('', false);
    } catch (error) {
      if (error instanceof ApiError) {
        for (const field of this._fields) {
          field.showError(error.fields[field.spec.name] ?? '');
        }
        const named = Object.keys(error.fields);
        const onFields = named.length > 0 && named.every(name => this._fields.some(f => f.spec.name === name));
        const message = trans.__('The server refused some values; see the fields above.');
        this._setStatus(onFields ? message : error.message, true);
      } else {
        this._setStatus(errorMessage(error), true);
      }
    } finally {
      this._buttons.forEach(button => (button.disabled = false));
    }
  }

  private _setStatus(message: string, isError: boolean): void {
    this._status.textContent = message;
    this._status.classList.toggle('jp-mod-error', isError);
  }

  private _fields: FormField[];
  private _status: HTMLDivElement;
  private _buttons: HTMLButtonElement[];
}
