/**
 * The left sidebar "Models" (the seed's 我的模型): every model with its latest version, type,
 * aliases and who changed it when; a search box and "New model". A model opens its page.
 */
import { addIcon, refreshIcon } from '@jupyterlab/ui-components';

import { el, iconButton } from '../platform/dom';
import { errorMessage, formatTime, MISSING } from '../platform/format';
import { KeyedList, setAttr, setChildren, setText } from '../platform/keyed';
import { WhileShownWidget } from '../platform/shown';
import { IModelSummary, modelsApi } from './client';
import { IModelsUI } from './host';
import { modelsIcon } from './icons';
import { matchesQuery } from './model';

export const MODELS_PANEL_ID = 'jlab-platform-models';
const POLL_MS = 5000;

interface IRow {
  readonly node: HTMLLIElement;
  readonly name: HTMLSpanElement;
  readonly version: HTMLSpanElement;
  readonly kind: HTMLSpanElement;
  readonly aliases: HTMLSpanElement;
  readonly training: HTMLSpanElement;
  readonly changed: HTMLSpanElement;
}

export class ModelsPanel extends WhileShownWidget {
  constructor(private readonly ui: IModelsUI) {
    super();
    const trans = ui.trans;
    this.id = MODELS_PANEL_ID;
    this.addClass('jp-PlatformSidebar');
    this.addClass('jp-ModelsPanel');
    this.title.icon = modelsIcon;
    this.title.caption = trans.__('Models');

    const header = el('div', 'jp-PlatformSidebar-header jp-ModelsPanel-header');
    const actions = el('span', 'jp-ModelsPanel-actions');
    actions.append(
      iconButton(addIcon, trans.__('New model'), 'new-model', () => void ui.newModel()),
      iconButton(refreshIcon, trans.__('Refresh'), 'refresh', () => void this.refresh())
    );
    header.append(el('div', 'jp-PlatformPanel-title', trans.__('Models')), actions);

    this._search = el('input', 'jp-PlatformInput jp-ModelsPanel-search');
    this._search.type = 'search';
    this._search.placeholder = trans.__('Search models');
    this._search.title = trans.__('Words to find in the name, description, type, template or an alias');
    this._search.setAttribute('aria-label', this._search.placeholder);
    this._search.addEventListener('input', () => this._render());

    this._list = el('ul', 'jp-ModelsPanel-list');
    this._rows = new KeyedList(this._list, {
      key: model => model.name,
      create: model => this._row(model),
      update: (row, model) => this._update(row, model)
    });
    this._message = el('div', 'jp-ModelsPanel-message');
    this._message.setAttribute('aria-live', 'polite');
    this._message.textContent = trans.__('Loading models…');
    const body = el('div', 'jp-ModelsPanel-body');
    body.append(this._search, this._message, this._list);
    this.node.append(header, body);
  }

  async refresh(): Promise<void> {
    try {
      this._models = await modelsApi.list();
      this._error = null;
    } catch (error) {
      this._error = this.ui.trans.__('Cannot list models: %1', errorMessage(error));
    }
    this._render();
  }

  protected readonly pollMs = POLL_MS;

  private _render(): void {
    const trans = this.ui.trans;
    const query = this._search.value;
    const shown = this._models.filter(model => matchesQuery(model, query));
    this._rows.update(shown);
    this._message.classList.toggle('jp-mod-error', this._error !== null);
    if (this._error) {
      setText(this._message, this._error);
    } else if (!this._models.length) {
      setText(
        this._message,
        trans.__('No models yet. Create one with “New model”: it trains a template on your data.')
      );
    } else if (!shown.length) {
      setText(this._message, trans.__('No model matches “%1”.', query.trim()));
    } else {
      setText(this._message, '');
    }
  }

  private _row(model: IModelSummary): IRow {
    const trans = this.ui.trans;
    const node = el('li', 'jp-ModelsItem');
    node.dataset.name = model.name;
    const open = el('button', 'jp-ModelsItem-open');
    open.type = 'button';
    open.title = trans.__('Open the versions, aliases and trainings of %1', model.name);
    open.addEventListener('click', () => this.ui.openModel(model.name));
    const name = el('span', 'jp-ModelsItem-name', model.name);
    const version = el('span', 'jp-ModelsItem-version');
    const top = el('span', 'jp-ModelsItem-line');
    top.append(name, version);
    const kind = el('span', 'jp-ModelsItem-kind');
    const aliases = el('span', 'jp-ModelsItem-aliases');
    const training = el('span', 'jp-ModelsItem-training');
    const middle = el('span', 'jp-ModelsItem-line');
    middle.append(kind, training);
    const changed = el('span', 'jp-ModelsItem-changed');
    open.append(top, middle, aliases, changed);
    node.append(open);
    return { node, name, version, kind, aliases, training, changed };
  }

  private _update(row: IRow, model: IModelSummary): void {
    const trans = this.ui.trans;
    setText(row.version, model.latest_version ? `v${model.latest_version}` : trans.__('no version'));
    setAttr(row.version, 'data-version', model.latest_version);
    setText(row.kind, trans.__('%1 · %2', model.task || MISSING, model.template));
    setText(
      row.training,
      model.trainings_active
        ? trans._n('%1 training', '%1 trainings', model.trainings_active, model.trainings_active)
        : ''
    );
    setText(row.changed, trans.__('changed by %1 · %2', model.updated_by, formatTime(model.updated_at)));
    const aliases = Object.entries(model.aliases).sort(([a], [b]) => a.localeCompare(b));
    const key = aliases.map(([alias, version]) => `${alias}=${version}`).join(',');
    if (row.aliases.dataset.key !== key) {
      row.aliases.dataset.key = key;
      setChildren(
        row.aliases,
        aliases.map(([alias, version]) => aliasChip(alias, version))
      );
    }
  }

  private _models: IModelSummary[] = [];
  private _error: string | null = null;
  private _search: HTMLInputElement;
  private _list: HTMLUListElement;
  private _rows: KeyedList<IModelSummary, IRow>;
  private _message: HTMLDivElement;
}

/** `production → 1.02` as a small chip (the model page uses the same). */
export function aliasChip(alias: string, version: string): HTMLElement {
  const chip = el('span', 'jp-ModelsAlias');
  chip.dataset.alias = alias;
  chip.append(el('span', 'jp-ModelsAlias-name', alias), el('span', 'jp-ModelsAlias-version', version));
  return chip;
}
