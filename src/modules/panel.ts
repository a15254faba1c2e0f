/**
 * The right sidebar "Modules & Datasets": search, kind / task / favorite filters, a list with
 * stars, and the detail view of the chosen module or dataset.
 */
import { LabIcon, refreshIcon } from '@jupyterlab/ui-components';
import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { modulesApi } from './client';
import { el } from '../platform/dom';
import { showError } from '../platform/notify';
import { DetailView } from './detail';
import { IModulesHost } from './host';
import { CatalogItem, IFilter, ItemKind, matches, sortItems, taskTypes } from './model';

export const MODULES_PANEL_ID = 'jlab-platform-modules';
/** Rows drawn at most; the search narrows the rest down. */
const MAX_ROWS = 300;

const modulesSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M3 3h8v8H3V3Zm2 2v4h4V5H5Zm8-2h8v8h-8V3Zm2 2v4h4V5h-4ZM3 13h8v8H3v-8Zm2 2v4h4v-4H5Zm11-2h2v3h3v2h-3v3h-2v-3h-3v-2h3v-3Z"/>
  </g>
</svg>`;

export const modulesIcon = new LabIcon({ name: 'jlab-platform:modules', svgstr: modulesSvg });

export class ModulesPanel extends Widget {
  constructor(private readonly host: IModulesHost) {
    super();
    const trans = host.trans;
    this.id = MODULES_PANEL_ID;
    this.addClass('jp-PlatformSidebar');
    this.addClass('jp-ModulesPanel');
    this.title.icon = modulesIcon;
    this.title.caption = trans.__('Modules & Datasets');

    const header = el('div', 'jp-PlatformSidebar-header jp-ModulesPanel-header');
    const refresh = el('button', 'jp-Button jp-mod-minimal jp-ModulesPanel-refresh');
    refresh.type = 'button';
    refresh.title = trans.__('Look for new or changed modules and datasets');
    refresh.setAttribute('aria-label', refresh.title);
    refresh.append(refreshIcon.element({ tag: 'span' }));
    refresh.addEventListener('click', () => void this.refresh(true));
    header.append(el('div', 'jp-PlatformPanel-title', trans.__('Modules & Datasets')), refresh);

    this._search = el('input', 'jp-PlatformInput jp-ModulesPanel-search');
    this._search.type = 'search';
    this._search.placeholder = trans.__('Search name, description, tags');
    this._search.setAttribute('aria-label', trans.__('Search modules and datasets'));
    this._search.addEventListener('input', () => this._renderList());

    this._kind = el('select', 'jp-ModulesPanel-kind');
    this._kind.setAttribute('aria-label', trans.__('Kind'));
    this._kind.append(
      new Option(trans.__('Modules and datasets'), 'all'),
      new Option(trans.__('Modules'), 'module'),
      new Option(trans.__('Datasets'), 'dataset')
    );
    this._task = el('select', 'jp-ModulesPanel-task');
    this._task.setAttribute('aria-label', trans.__('Task type'));
    for (const select of [this._kind, this._task]) {
      select.addEventListener('change', () => this._renderList());
    }
    this._favorites = el('button', 'jp-Button jp-mod-minimal jp-ModulesPanel-favorites', '★');
    this._favorites.type = 'button';
    this._favorites.title = trans.__('Show favorites only');
    this._favorites.setAttribute('aria-pressed', 'false');
    this._favorites.addEventListener('click', () => {
      const pressed = this._favorites.getAttribute('aria-pressed') !== 'true';
      this._favorites.setAttribute('aria-pressed', String(pressed));
      this._renderList();
    });
    const filters = el('div', 'jp-ModulesPanel-filters');
    filters.append(this._kind, this._task, this._favorites);

    this._status = el('div', 'jp-ModulesPanel-status');
    this._status.setAttribute('aria-live', 'polite');
    this._list = el('ul', 'jp-ModulesPanel-list');
    this._browse = el('div', 'jp-ModulesPanel-browse');
    this._browse.append(this._search, filters, this._status, this._list);

    this._detail = new DetailView(host);
    const back = el('button', 'jp-Button jp-mod-minimal jp-ModulesPanel-back');
    back.textContent = trans.__('‹ All modules and datasets');
    back.type = 'button';
    back.addEventListener('click', () => this._showList());
    this._star = el('button', 'jp-Button jp-mod-minimal jp-ModulesItem-star');
    this._star.type = 'button';
    this._star.addEventListener('click', () => {
      if (this._current) {
        void this._toggleFavorite(this._current);
      }
    });
    this._detailTitle = el('div', 'jp-ModulesPanel-detailTitle');
    const detailHeader = el('div', 'jp-ModulesPanel-detailHeader');
    detailHeader.append(this._star, this._detailTitle);
    this._detailPane = el('div', 'jp-ModulesPanel-detailPane');
    this._detailPane.append(back, detailHeader, this._detail.node);
    this._detailPane.hidden = true;

    this.node.append(header, this._browse, this._detailPane);
  }

  /** Load both lists again (`rescan`: also forget cached specs and installed packages). */
  async refresh(rescan = false): Promise<void> {
    this._status.textContent = this.host.trans.__('Loading…');
    try {
      const [modules, datasets] = await Promise.all([modulesApi.listModules(rescan), modulesApi.listDatasets(rescan)]);
      this._items = [...modules, ...datasets];
      this._loadError = null;
    } catch (error) {
      this._loadError = this.host.trans.__('Cannot load modules and datasets: %1', String(error));
    }
    this._renderTasks();
    this._renderList();
  }

  /** Open the detail view of one item (also used by tests and commands). */
  async open(kind: ItemKind, name: string): Promise<void> {
    const trans = this.host.trans;
    const item = this._items.find(i => i.kind === kind && i.name === name);
    this._current = item ?? null;
    this._browse.hidden = true;
    this._detailPane.hidden = false;
    this._detailTitle.textContent = item?.title ?? name;
    this._renderStar();
    this._detail.showMessage(trans.__('Loading…'));
    try {
      if (kind === 'module') {
        const suggestions = this._items.filter(i => i.kind === 'dataset' && i.path).map(i => i.path as string);
        this._detail.showModule(await modulesApi.getModule(name), suggestions);
      } else {
        this._detail.showDataset(await modulesApi.getDataset(name));
      }
    } catch (error) {
      this._detail.showMessage(String(error));
    }
  }

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    void this.refresh();
  }

  dispose(): void {
    this._detail.dispose();
    super.dispose();
  }

  private _filter(): IFilter {
    return {
      query: this._search.value,
      kind: this._kind.value as IFilter['kind'],
      task: this._task.value,
      favoritesOnly: this._favorites.getAttribute('aria-pressed') === 'true'
    };
  }

  private _renderTasks(): void {
    const chosen = this._task.value;
    this._task.replaceChildren(new Option(this.host.trans.__('All tasks'), ''));
    for (const task of taskTypes(this._items)) {
      this._task.append(new Option(task, task, false, task === chosen));
    }
  }

  private _renderList(): void {
    const trans = this.host.trans;
    const shown = sortItems(this._items.filter(item => matches(item, this._filter())));
    this._list.replaceChildren(...shown.slice(0, MAX_ROWS).map(item => this._row(item)));
    if (this._loadError) {
      this._status.textContent = this._loadError;
    } else if (!this._items.length) {
      this._status.textContent = trans.__('No modules or datasets found.');
    } else if (shown.length > MAX_ROWS) {
      this._status.textContent = trans.__('%1 of %2 shown; search to narrow them down.', MAX_ROWS, shown.length);
    } else {
      this._status.textContent = shown.length ? '' : trans.__('Nothing matches.');
    }
  }

  private _row(item: CatalogItem): HTMLLIElement {
    const trans = this.host.trans;
    const row = el('li', 'jp-ModulesItem');
    row.dataset.kind = item.kind;
    row.dataset.name = item.name;
    const star = el('button', 'jp-Button jp-mod-minimal jp-ModulesItem-star');
    star.type = 'button';
    this._paintStar(star, item.favorite);
    star.addEventListener('click', () => void this._toggleFavorite(item));
    const open = el('button', 'jp-ModulesItem-open');
    open.type = 'button';
    open.title = item.description || item.name;
    const title = el('span', 'jp-ModulesItem-title', item.title);
    const meta = el('span', 'jp-ModulesItem-meta');
    const kindLabel = item.kind === 'module' ? trans.__('module') : trans.__('dataset');
    meta.textContent = [kindLabel, item.task, item.source].filter(Boolean).join(' · ');
    open.append(title, meta);
    if (!item.valid) {
      const problems = el('span', 'jp-ModulesItem-invalid', `⚠ ${item.errors.length}`);
      problems.title = trans.__('%1 problems: open it to see them', item.errors.length);
      open.append(problems);
    }
    open.addEventListener('click', () => void this.open(item.kind, item.name));
    row.append(star, open);
    return row;
  }

  private async _toggleFavorite(item: CatalogItem): Promise<void> {
    const favorite = !item.favorite;
    try {
      await modulesApi.setFavorite(item.kind, item.name, favorite);
      item.favorite = favorite;
    } catch (error) {
      showError(error);
    }
    this._renderList();
    this._renderStar();
  }

  private _renderStar(): void {
    this._star.hidden = this._current === null;
    this._paintStar(this._star, this._current?.favorite ?? false);
  }

  private _paintStar(star: HTMLButtonElement, favorite: boolean): void {
    const trans = this.host.trans;
    star.textContent = favorite ? '★' : '☆';
    star.title = favorite ? trans.__('Remove from favorites') : trans.__('Add to favorites');
    star.setAttribute('aria-label', star.title);
    star.setAttribute('aria-pressed', String(favorite));
  }

  private _showList(): void {
    this._current = null;
    this._detail.dispose();
    this._detailPane.hidden = true;
    this._browse.hidden = false;
    this._renderList();
  }

  private _items: CatalogItem[] = [];
  private _loadError: string | null = null;
  private _current: CatalogItem | null = null;
  private _search: HTMLInputElement;
  private _kind: HTMLSelectElement;
  private _task: HTMLSelectElement;
  private _favorites: HTMLButtonElement;
  private _status: HTMLDivElement;
  private _list: HTMLUListElement;
  private _browse: HTMLDivElement;
  private _detail: DetailView;
  private _detailPane: HTMLDivElement;
  private _detailTitle: HTMLDivElement;
  private _star: HTMLButtonElement;
}
