/** The "Git" section of the Platform panel: status badge, Sync, conflicts, history with rollback. */
import { refreshIcon } from '@jupyterlab/ui-components';

import { gitApi } from './client';
import { el } from '../platform/dom';
import { errorMessage } from '../platform/format';
import { CoalescedLoad } from '../platform/coalesce';
import { WhileShownWidget } from '../platform/shown';
import {
  cloneRepository,
  IGitUI,
  initRepository,
  openDiff,
  rollbackTo,
  settleConflicts,
  syncWorkspace
} from './actions';
import { gitBranchIcon, gitSyncIcon } from './icons';
import { ageLabel, changeLabel } from './labels';
import { badgeOf, GitStatus, ICommit } from './model';

const POLL_MS = 5000;
export const HISTORY_LENGTH = 15;

export class GitSection extends WhileShownWidget {
  constructor(private readonly ui: IGitUI) {
    super();
    const trans = ui.trans;
    this.id = 'jlab-platform-git';
    this.addClass('jp-GitSection');

    const refresh = el('button', 'jp-Button jp-mod-minimal jp-GitSection-refresh');
    refresh.type = 'button';
    refresh.title = trans.__('Ask the remote for news and refresh');
    refresh.setAttribute('aria-label', refresh.title);
    refresh.append(refreshIcon.element({ tag: 'span' }));
    refresh.addEventListener('click', () => void this.refresh(true));
    const top = el('div', 'jp-PlatformPanel-top');
    top.append(el('div', 'jp-PlatformPanel-title', trans.__('Git')), refresh);

    this._badge = el('div', 'jp-GitSection-badge');
    this._actions = el('div', 'jp-GitSection-actions');
    this._message = el('div', 'jp-GitSection-message');
    this._historyTitle = el('div', 'jp-GitSection-subtitle', trans.__('History'));
    this._history = el('ol', 'jp-GitHistory');
    this.node.append(top, this._badge, this._message, this._actions, this._historyTitle, this._history);
    this._message.textContent = trans.__('Reading the repository…');
  }

  /** Ask the server now (`fetch`: the remote too); overlapping calls collapse into one more round. */
  async refresh(fetch = false): Promise<void> {
    this._fetch ||= fetch;
    await this._loads.run();
  }

  private async _load(fetch: boolean): Promise<void> {
    let status: GitStatus;
    try {
      status = await gitApi.status(fetch);
    } catch (error) {
      this._showMessage(errorMessage(error), true);
      return;
    }
    this._showMessage('', false);
    this.node.dataset.repository = String(status.repository);
    if (!status.repository) {
      this._renderNoRepository();
      return;
    }
    this._renderStatus(status);
    if (status.head !== this._head || fetch) {
      this._head = status.head;
      await this._loadHistory();
    }
  }

  private _renderNoRepository(): void {
    const trans = this.ui.trans;
    this._head = undefined;
    this._badge.replaceChildren();
    this._showMessage(trans.__('This workspace is not a git repository yet.'), false);
    this._actions.replaceChildren(
      this._button(trans.__('Init'), 'init', trans.__('Initialise a repository here'), () => initRepository(this.ui)),
      this._button(trans.__('Clone…'), 'clone', trans.__('Clone a repository into the workspace'), () =>
        cloneRepository(this.ui)
      )
    );
    this._historyTitle.hidden = true;
    this._history.replaceChildren();
  }

  private _renderStatus(status: GitStatus): void {
    const trans = this.ui.trans;
    const badge = badgeOf(status);
    const branch = el('span', 'jp-GitSection-branch', badge.branch);
    branch.prepend(gitBranchIcon.element({ tag: 'span', className: 'jp-GitSection-branchIcon' }));
    branch.title = status.upstream
      ? trans.__('Tracks %1 (%2)', status.upstream, status.remote_url ?? '')
      : status.remote
        ? trans.__('Not pushed to %1 yet', status.remote)
        : trans.__('No remote: commits stay here');
    const parts: HTMLElement[] = [branch];
    if (badge.ahead || badge.behind) {
      const sync = el('span', 'jp-GitSection-aheadBehind', `↑${badge.ahead} ↓${badge.behind}`);
      sync.title = trans.__('%1 commits to push, %2 to pull', badge.ahead, badge.behind);
      parts.push(sync);
    }
    const changed = el(
      'span',
      `jp-GitSection-changed${badge.changed ? ' jp-mod-dirty' : ''}`,
      badge.changed ? trans._n('%1 changed', '%1 changed', badge.changed) : trans.__('clean')
    );
    changed.dataset.count = String(badge.changed);
    parts.push(changed);
    this._badge.replaceChildren(...parts);

    const buttons = [];
    if (status.operation) {
      const waiting = trans._n(
        'A sync is waiting on a conflict in %1 file.',
        'A sync is waiting on conflicts in %1 files.',
        badge.conflicts
      );
      this._showMessage(waiting, true);
      buttons.push(
        this._button(trans.__('Resolve…'), 'resolve', trans.__('Keep mine or take theirs per file'), () =>
          settleConflicts(this.ui, status.conflicts ?? [])
        )
      );
    } else {
      const sync = this._button(trans.__('Sync'), 'sync', trans.__('Commit, pull and push'), () =>
        syncWorkspace(this.ui)
      );
      sync.prepend(gitSyncIcon.element({ tag: 'span', className: 'jp-GitSection-buttonIcon' }));
      sync.classList.add('jp-mod-accept');
      buttons.push(sync);
    }
    this._actions.replaceChildren(...buttons);
    this._historyTitle.hidden = false;
  }

  private async _loadHistory(): Promise<void> {
    const trans = this.ui.trans;
    try {
      const log = await gitApi.log(HISTORY_LENGTH);
      const now = Date.now();
      this._history.replaceChildren(...log.commits.map(commit => this._commitItem(commit, now)));
      if (!log.commits.length) {
        this._history.append(el('li', 'jp-GitHistory-empty', trans.__('No commits yet: Sync makes the first one.')));
      }
    } catch (error) {
      const text = errorMessage(error);
      this._history.replaceChildren(el('li', 'jp-GitHistory-empty', text));
    }
  }

  private _commitItem(commit: ICommit, now: number): HTMLLIElement {
    const trans = this.ui.trans;
    const item = el('li', 'jp-GitHistory-item');
    item.dataset.commit = commit.id;
    const message = el('div', 'jp-GitHistory-message', commit.message);
    message.title = commit.message;
    const when = new Date(commit.time);
    const meta = el('div', 'jp-GitHistory-meta');
    const time = el('time', 'jp-GitHistory-time', ageLabel(trans, commit.time, now));
    time.dateTime = commit.time;
    time.title = when.toLocaleString();
    const author = el('span', 'jp-GitHistory-author', commit.author);
    author.title = `${commit.author} <${commit.email}>`;
    const rollback = this._button(
      trans.__('Rollback'),
      'rollback',
      trans.__('Restore the workspace to this commit as a new commit'),
      () => rollbackTo(this.ui, commit)
    );
    rollback.classList.add('jp-GitHistory-rollback');
    meta.append(time, author, el('code', 'jp-GitHistory-id', commit.short_id));
    const head = el('div', 'jp-GitHistory-head');
    head.append(message, rollback);
    item.append(head, meta);
    if (commit.files_total) {
      item.append(this._files(commit));
    }
    return item;
  }

  private _files(commit: ICommit): HTMLDetailsElement {
    const trans = this.ui.trans;
    const details = el('details', 'jp-GitHistory-files');
    details.append(el('summary', '', trans._n('%1 file changed', '%1 files changed', commit.files_total)));
    const list = el('ul');
    for (const file of commit.files) {
      const button = el('button', 'jp-GitHistory-file', file.path);
      button.type = 'button';
      button.title = trans.__('%1 — show the diff', changeLabel(trans, file.status));
      button.dataset.status = file.status;
      button.addEventListener('click', () => void openDiff(this.ui, file.path, commit.id));
      const row = el('li');
      row.append(button);
      list.append(row);
    }
    if (commit.files_total > commit.files.length) {
      const more = commit.files_total - commit.files.length;
      list.append(el('li', 'jp-GitHistory-more', trans.__('and %1 more', more)));
    }
    details.append(list);
    return details;
  }

  private _button(label: string, action: string, title: string, onClick: () => Promise<unknown>): HTMLButtonElement {
    const button = el('button', 'jp-Button jp-mod-styled jp-GitSection-button', label);
    button.type = 'button';
    button.title = title;
    button.dataset.action = action;
    button.addEventListener('click', () => {
      button.disabled = true;
      void onClick().finally(() => {
        button.disabled = false;
        void this.refresh();
      });
    });
    return button;
  }

  private _showMessage(text: string, isError: boolean): void {
    this._message.textContent = text;
    this._message.hidden = !text;
    this._message.classList.toggle('jp-mod-error', isError);
  }

  protected readonly pollMs = POLL_MS;

  private _badge: HTMLDivElement;
  private _actions: HTMLDivElement;
  private _message: HTMLDivElement;
  private _historyTitle: HTMLDivElement;
  private _history: HTMLOListElement;
  private _head: string | null | undefined = undefined;
  private readonly _loads = new CoalescedLoad(
    () => {
      const withFetch = this._fetch;
      this._fetch = false;
      return this._load(withFetch);
    },
    () => this.isDisposed
  );
  private _fetch = false;
}
