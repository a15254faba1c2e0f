/**
 * Data paths checked live through `GET /models/data-paths/check` (the seed's path list: status
 * valid / invalid and the image count): one input that checks as it is typed, and the list of a
 * model's paths, where paths bound at creation cannot be removed.
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { closeIcon } from '@jupyterlab/ui-components';

import { el, iconButton } from '../platform/dom';
import { errorMessage } from '../platform/format';
import { IDataPathCheck, modelsApi } from './client';

const TYPING_MS = 300;

/** The outcome of a check: pending while asked, or the server's answer, or why it could not ask. */
export type CheckState =
  { kind: 'pending' } | { kind: 'done'; check: IDataPathCheck } | { kind: 'error'; message: string };

/** Show a check's outcome in `node` (status word, count, classes) and mark it for styles and tests. */
export function showCheck(trans: TranslationBundle, node: HTMLElement, state: CheckState): void {
  if (state.kind === 'pending') {
    node.dataset.valid = 'pending';
    node.textContent = trans.__('checking…');
    node.title = '';
    return;
  }
  if (state.kind === 'error') {
    node.dataset.valid = 'false';
    node.textContent = state.message;
    node.title = state.message;
    return;
  }
  const { check } = state;
  node.dataset.valid = String(check.valid);
  const count = trans._n('%1 image', '%1 images', check.images, check.images);
  if (!check.valid) {
    node.textContent = trans.__('invalid: %1', check.reason ?? count);
  } else if (check.classes.length) {
    node.textContent = trans.__('valid · %1 · classes: %2', count, check.classes.join(', '));
  } else {
    node.textContent = trans.__('valid · %1 · unlabeled', count);
  }
  node.title = node.textContent;
}

/** Ask the server about `path`; an unreachable check is an error state, never a throw. */
export async function checkPath(trans: TranslationBundle, path: string, signal?: AbortSignal): Promise<CheckState> {
  try {
    return { kind: 'done', check: await modelsApi.checkPath(path, signal) };
  } catch (error) {
    return { kind: 'error', message: trans.__('cannot check: %1', errorMessage(error)) };
  }
}

/** A path input whose status line says, as it is typed, whether the folder holds images. */
export class PathCheck {
  readonly input: HTMLInputElement;
  readonly status: HTMLDivElement;

  constructor(private readonly trans: TranslationBundle) {
    this.input = el('input', 'jp-mod-styled jp-ModelsPaths-input');
    this.input.placeholder = trans.__('e.g. datasets/shapes');
    this.input.spellcheck = false;
    this.status = el('div', 'jp-ModelsPaths-status');
    this.status.setAttribute('aria-live', 'polite');
    this.input.addEventListener('input', () => this._schedule());
  }

  /** Called after each check with its outcome (null: the input is empty). */
  onChecked: ((state: CheckState | null) => void) | null = null;

  clear(): void {
    this.input.value = '';
    this._schedule();
  }

  dispose(): void {
    window.clearTimeout(this._timer);
    this._abort?.abort();
  }

  private _schedule(): void {
    window.clearTimeout(this._timer);
    this._abort?.abort();
    const path = this.input.value.trim();
    if (!path) {
      this.status.textContent = '';
      delete this.status.dataset.valid;
      this.onChecked?.(null);
      return;
    }
    showCheck(this.trans, this.status, { kind: 'pending' });
    this._timer = window.setTimeout(() => void this._check(path), TYPING_MS);
  }

  private async _check(path: string): Promise<void> {
    const abort = new AbortController();
    this._abort = abort;
    const state = await checkPath(this.trans, path, abort.signal);
    if (abort.signal.aborted) {
      return;
    }
    showCheck(this.trans, this.status, state);
    this.onChecked?.(state);
  }

  private _timer = 0;
  private _abort: AbortController | null = null;
}

interface IPathRow {
  path: string;
  fixed: boolean;
  state: CheckState;
  node: HTMLLIElement;
}

/** The step "Data paths": the paths with their check, a remove button for the removable ones, and "Add". */
export class PathList {
  readonly node: HTMLDivElement;

  constructor(
    private readonly trans: TranslationBundle,
    /** Dataset folders the server knows, offered as suggestions. */
    suggestions: string[]
  ) {
    this.node = el('div', 'jp-ModelsPaths');
    this._list = el('ul', 'jp-ModelsPaths-list');
    this._adder = new PathCheck(trans);
    const datalist = el('datalist');
    datalist.id = `jp-ModelsPaths-${Math.random().toString(36).slice(2, 8)}`;
    datalist.append(...suggestions.map(path => new Option(path, path)));
    this._adder.input.setAttribute('list', datalist.id);
    this._adder.input.addEventListener('keydown', event => {
      if (event.key === 'Enter') {
        // The dialog would take Enter as its own; here it adds the path.
        event.preventDefault();
        event.stopPropagation();
        this._addTyped();
      }
    });
    const add = el('button', 'jp-Button jp-mod-styled jp-mod-accept jp-ModelsPaths-add', trans.__('Add path'));
    add.type = 'button';
    add.addEventListener('click', () => this._addTyped());
    const adder = el('div', 'jp-ModelsPaths-adder');
    adder.append(this._adder.input, add, datalist);
    this._empty = el('li', 'jp-ModelsPaths-empty', trans.__('No data path yet: add the folders of training images.'));
    this.node.append(this._list, adder, this._adder.status);
    this._render();
  }

  /** Called whenever a path is added, removed or its check arrives. */
  onChange: (() => void) | null = null;

  get paths(): string[] {
    return this._rows.map(row => row.path);
  }

  /** The paths the user added (not the fixed ones): what a retraining sends. */
  get addedPaths(): string[] {
    return this._rows.filter(row => !row.fixed).map(row => row.path);
  }

  /** Why the next step cannot start yet, or null (every path valid, at least one). */
  problem(): string | null {
    const trans = this.trans;
    if (!this._rows.length) {
      return trans.__('Add at least one data path.');
    }
    if (this._rows.some(row => row.state.kind === 'pending')) {
      return trans.__('Checking the data paths…');
    }
    const invalid = this._rows.filter(row => row.state.kind !== 'done' || !row.state.check.valid);
    if (invalid.length) {
      return trans.__('Every data path must hold images; fix or remove: %1', invalid.map(row => row.path).join(', '));
    }
    return null;
  }

  /** Add `path` (a fixed one cannot be removed) and check it; a path already listed is ignored. */
  add(path: string, fixed = false): void {
    const clean = path.trim().replace(/\/+$/, '');
    if (!clean || this._rows.some(row => row.path === clean)) {
      return;
    }
    const row: IPathRow = { path: clean, fixed, state: { kind: 'pending' }, node: el('li', 'jp-ModelsPaths-row') };
    this._rows.push(row);
    this._render();
    void checkPath(this.trans, clean).then(state => {
      row.state = state;
      this._render();
    });
  }

  dispose(): void {
    this._adder.dispose();
  }

  private _addTyped(): void {
    const path = this._adder.input.value;
    if (path.trim()) {
      this.add(path);
      this._adder.clear();
    }
  }

  private _render(): void {
    const trans = this.trans;
    for (const row of this._rows) {
      const status = el('span', 'jp-ModelsPaths-status');
      showCheck(trans, status, row.state);
      row.node.dataset.path = row.path;
      const path = el('code', 'jp-ModelsPaths-path', row.path);
      path.title = row.path;
      const end = row.fixed
        ? el('span', 'jp-ModelsPaths-fixed', trans.__('bound'))
        : iconButton(closeIcon, trans.__('Remove %1', row.path), 'remove-path', () => {
            this._rows = this._rows.filter(other => other !== row);
            this._render();
          });
      if (row.fixed) {
        end.title = trans.__('Bound when the model was created: a retraining keeps it');
      }
      row.node.replaceChildren(path, status, end);
    }
    this._list.replaceChildren(...(this._rows.length ? this._rows.map(row => row.node) : [this._empty]));
    this.onChange?.();
  }

  private _rows: IPathRow[] = [];
  private _list: HTMLUListElement;
  private _adder: PathCheck;
  private _empty: HTMLLIElement;
}
