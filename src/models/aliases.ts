/**
 * The model page's aliases (`production`, `staging`, any name): where each points, moving it to
 * another version or removing it, and the history of every move (who, when, from, to).
 */
import { closeIcon } from '@jupyterlab/ui-components';

import { el, iconButton } from '../platform/dom';
import { formatTime, MISSING } from '../platform/format';
import { actionButton, moveAlias, removeAlias } from './actions';
import { IAliasList, IVersion } from './client';
import { pageSection } from './blocks';
import { IModelsUI } from './host';
import { aliasChip } from './panel';

export class AliasesSection {
  readonly node: HTMLElement;

  constructor(
    private readonly ui: IModelsUI,
    private readonly name: string
  ) {
    const trans = ui.trans;
    this._list = el('ul', 'jp-ModelAliases-list');
    this._history = el('table', 'jp-ModelAliases-history');
    this._historyTitle = el('h3', 'jp-ModelPage-subtitle', trans.__('History'));
    const section = pageSection(
      'jp-ModelAliases',
      trans.__('Aliases'),
      trans.__('No alias yet. “Set alias” on a version points one (e.g. production) at it.'),
      this._list,
      this._historyTitle,
      this._history
    );
    this.node = section.node;
    this._empty = section.empty;
  }

  update(aliases: IAliasList, versions: IVersion[]): void {
    const deployable = this.ui.canDeploy();
    const signature = JSON.stringify([aliases, versions.map(version => version.version), deployable]);
    if (signature === this._signature) {
      return;
    }
    this._signature = signature;
    const trans = this.ui.trans;
    this._empty.hidden = aliases.aliases.length > 0;
    this._list.replaceChildren(
      ...aliases.aliases.map(alias => {
        const row = el('li', 'jp-ModelAlias');
        row.dataset.alias = alias.alias;
        const move = el('select', 'jp-ModelPage-select jp-ModelAlias-move');
        move.setAttribute('aria-label', trans.__('Move %1 to version', alias.alias));
        move.title = move.getAttribute('aria-label') ?? '';
        for (const version of [...versions].reverse()) {
          move.append(new Option(version.version, version.version, false, version.version === alias.version));
        }
        move.addEventListener('change', () => void moveAlias(this.ui, this.name, alias.alias, move.value));
        // The label and its select wrap as one.
        const moveBox = el('label', 'jp-ModelAlias-moveBox');
        moveBox.append(el('span', 'jp-ModelAlias-moveLabel', trans.__('move to')), move);
        row.append(
          aliasChip(alias.alias, alias.version),
          el('span', 'jp-ModelAlias-when', trans.__('set by %1 · %2', alias.set_by, formatTime(alias.set_at))),
          moveBox
        );
        if (deployable) {
          // Deploying the alias deploys the version it points at now (the deployment records which).
          const ref = `${this.name}@${alias.alias}`;
          const title = trans.__('Deploy %1 (version %2 now)', ref, alias.version);
          row.append(actionButton(trans.__('Deploy'), 'deploy', () => void this.ui.deploy(ref), title));
        }
        row.append(
          iconButton(closeIcon, trans.__('Remove the alias %1', alias.alias), 'remove-alias', () => {
            void removeAlias(this.ui, this.name, alias.alias);
          })
        );
        return row;
      })
    );
    this._historyTitle.hidden = this._history.hidden = aliases.history.length === 0;
    const head = el('tr');
    head.append(
      el('th', '', trans.__('Alias')),
      el('th', '', trans.__('From')),
      el('th', '', trans.__('To')),
      el('th', '', trans.__('By')),
      el('th', '', trans.__('When'))
    );
    const thead = el('thead');
    thead.append(head);
    const tbody = el('tbody');
    tbody.append(
      ...aliases.history.map(move => {
        const row = el('tr');
        row.dataset.alias = move.alias;
        row.append(
          el('td', '', move.alias),
          el('td', '', move.from_version ?? MISSING),
          el('td', '', move.to_version ?? trans.__('removed')),
          el('td', '', move.by),
          el('td', '', formatTime(move.at))
        );
        return row;
      })
    );
    this._history.replaceChildren(thead, tbody);
  }

  private _signature = '';
  private _list: HTMLUListElement;
  private _history: HTMLTableElement;
  private _historyTitle: HTMLHeadingElement;
  private _empty: HTMLParagraphElement;
}
