/** The Git dialogs: sync (changed files + message), clone, diff, rollback and "not a repository". */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { el } from '../platform/dom';
import { baseName } from '../platform/format';
import { folderTree, IFolder, openFolders } from './folders';
import { fileLabel } from './labels';
import { diffLineKind, groupFiles, ICommit, IGitDiff, IGitFile, GitStatus } from './model';

class SyncForm extends Widget implements Dialog.IBodyWidget<string> {
  constructor(trans: TranslationBundle, status: GitStatus, previous: string, problem: string) {
    super();
    this.addClass('jp-GitSync');
    const groups = groupFiles(status.files ?? []);
    const sections: [string, IGitFile[], 'staged' | 'unstaged' | 'untracked'][] = [
      [trans.__('Staged'), groups.staged, 'staged'],
      [trans.__('Changed, not staged'), groups.unstaged, 'unstaged'],
      [trans.__('New (untracked)'), groups.untracked, 'untracked']
    ];
    // One scroll area for all groups, short enough to keep the message field in view.
    const changes = el('div', 'jp-GitSync-changes');
    for (const [title, files, kind] of sections) {
      if (files.length) {
        changes.append(fileList(trans, title, files, kind));
      }
    }
    this.node.append(changes);
    if (!status.changed) {
      this.node.append(
        el('p', 'jp-GitSync-note', trans.__('No local changes: Sync updates from the remote and pushes.'))
      );
    } else if (status.files_truncated) {
      const note = trans.__('%1 files in all; the first ones are listed.', status.changed);
      this.node.append(el('p', 'jp-GitSync-note', note));
    }
    const where = status.remote
      ? trans.__('Everything not ignored is committed, then pulled from and pushed to %1.', status.remote)
      : trans.__('Everything not ignored is committed; there is no remote to push to.');
    this.node.append(
      el('p', 'jp-GitSync-note', where),
      el('p', 'jp-GitSync-note', trans.__('Files over %1 MB are refused.', status.max_file_mb))
    );
    const label = el('label', 'jp-GitSync-field');
    this._message = el('textarea', 'jp-mod-styled jp-GitSync-message');
    this._message.rows = 3;
    this._message.placeholder = trans.__('What changed, e.g. “Tune the learning rate”');
    this._message.value = previous;
    label.append(el('span', 'jp-GitSync-label', trans.__('Message')), this._message);
    this.node.append(label);
    if (problem) {
      this.node.append(el('p', 'jp-GitSync-problem', problem));
    }
  }

  getValue(): string {
    return this._message.value.trim();
  }

  private _message: HTMLTextAreaElement;
}

function fileList(trans: TranslationBundle, title: string, files: IGitFile[], kind: string): HTMLElement {
  const section = el('div', 'jp-GitSync-group');
  section.dataset.group = kind;
  section.append(el('div', 'jp-GitSync-groupTitle', `${title} (${files.length})`));
  const letterOf = (file: IGitFile): string | null =>
    kind === 'staged' ? file.staged : kind === 'unstaged' ? file.unstaged : 'A';
  const tree = folderTree(files);
  section.append(folderList(trans, tree, openFolders(tree), letterOf));
  return section;
}

/** One folder's files, then its subfolders: each a row that folds (those not in `open` start folded). */
function folderList(
  trans: TranslationBundle,
  folder: IFolder<IGitFile>,
  open: Set<string>,
  letterOf: (file: IGitFile) => string | null
): HTMLUListElement {
  const list = el('ul', 'jp-GitSync-files');
  for (const file of folder.files) {
    const item = el('li', 'jp-GitSync-file', fileLabel(trans, file, letterOf(file), baseName(file.path)));
    item.dataset.path = file.path;
    item.title = file.path;
    list.append(item);
  }
  for (const sub of folder.folders) {
    const details = el('details', 'jp-GitSync-folder');
    details.dataset.path = sub.path;
    details.open = open.has(sub.path);
    const summary = el('summary', 'jp-GitSync-folderName', `${sub.name}/`);
    summary.title = sub.path;
    summary.append(el('span', 'jp-GitSync-count', trans._n('%1 file', '%1 files', sub.count)));
    details.append(summary, folderList(trans, sub, open, letterOf));
    const item = el('li');
    item.append(details);
    list.append(item);
  }
  return list;
}

/** Ask for the commit message, showing what will be committed; null when cancelled. */
export async function askSyncMessage(trans: TranslationBundle, status: GitStatus): Promise<string | null> {
  let message = '';
  let problem = '';
  for (;;) {
    const result = await showDialog<string>({
      title: trans.__('Sync with git'),
      body: new SyncForm(trans, status, message, problem),
      focusNodeSelector: '.jp-GitSync-message',
      buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.okButton({ label: trans.__('Sync') })]
    });
    if (!result.button.accept) {
      return null;
    }
    message = result.value ?? '';
    if (message || !status.changed) {
      return message;
    }
    problem = trans.__('Write a message: it tells your team (and you, later) what changed.');
  }
}

class UrlForm extends Widget implements Dialog.IBodyWidget<string> {
  constructor(trans: TranslationBundle) {
    super();
    this.addClass('jp-GitClone');
    this._url = el('input', 'jp-mod-styled jp-GitClone-url');
    this._url.placeholder = 'https://github.com/org/project.git';
    this.node.append(
      el('p', '', trans.__('The repository is cloned into this workspace; files already here are kept.')),
      this._url,
      el('p', 'jp-GitSync-note', trans.__('Private repositories need a credential helper or an SSH key on the server.'))
    );
  }

  getValue(): string {
    return this._url.value.trim();
  }

  private _url: HTMLInputElement;
}

export async function askCloneUrl(trans: TranslationBundle): Promise<string | null> {
  const result = await showDialog<string>({
    title: trans.__('Clone a repository'),
    body: new UrlForm(trans),
    focusNodeSelector: '.jp-GitClone-url',
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.okButton({ label: trans.__('Clone') })]
  });
  return result.button.accept && result.value ? result.value : null;
}

export type NoRepoChoice = 'init' | 'clone' | null;

/** The workspace has no repository: initialise one, clone one, or neither. */
export async function askInitOrClone(trans: TranslationBundle): Promise<NoRepoChoice> {
  const result = await showDialog({
    title: trans.__('This workspace is not a git repository'),
    body: trans.__(
      'Initialise a repository here (with a .gitignore for .venv, results/, checkpoints and the platform data), or clone one into the workspace.'
    ),
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      Dialog.okButton({ label: trans.__('Clone…'), displayType: 'default', actions: ['clone'] }),
      Dialog.okButton({ label: trans.__('Init'), actions: ['init'] })
    ]
  });
  if (!result.button.accept) {
    return null;
  }
  return result.button.actions.includes('clone') ? 'clone' : 'init';
}

export async function confirmRollback(trans: TranslationBundle, commit: ICommit, path?: string): Promise<boolean> {
  const what = path ?? trans.__('the workspace');
  const result = await showDialog({
    title: trans.__('Roll back to %1?', commit.short_id),
    body: trans.__(
      'Restore %1 to “%2” (%3) as a new commit. The history is kept, so this can be undone the same way.',
      what,
      commit.message,
      commit.short_id
    ),
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.warnButton({ label: trans.__('Roll back') })]
  });
  return result.button.accept;
}

export async function showDiff(trans: TranslationBundle, diff: IGitDiff): Promise<void> {
  const body = new Widget();
  body.addClass('jp-GitDiff');
  const pre = el('pre', 'jp-GitDiff-text');
  if (diff.binary) {
    pre.textContent = trans.__('Binary file: no text diff.');
  } else if (!diff.diff) {
    pre.textContent = trans.__('No changes.');
  } else {
    for (const line of diff.diff.split('\n')) {
      pre.append(el('span', `jp-GitDiff-line jp-mod-${diffLineKind(line)}`, line + '\n'));
    }
  }
  body.node.append(pre);
  if (diff.truncated) {
    body.node.append(el('p', 'jp-GitSync-note', trans.__('The diff is long: only its beginning is shown.')));
  }
  const title = diff.commit ? trans.__('%1 at %2', diff.path, diff.commit.slice(0, 8)) : diff.path;
  await showDialog({ title, body, buttons: [Dialog.okButton({ label: trans.__('Close') })] });
}
