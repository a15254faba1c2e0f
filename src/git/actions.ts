/** What the Git section, the toolbar button and the palette do: sync, init, clone, rollback, diff. */
import { Notification } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';

import { gitApi } from './client';
import { errorMessage } from '../platform/format';
import { replaceToast, showError } from '../platform/notify';
import { resolveConflicts } from './conflicts';
import { askCloneUrl, askInitOrClone, askSyncMessage, confirmRollback, showDiff } from './dialogs';
import { syncSummary } from './labels';
import { ICommit, ISyncResult } from './model';

/** What every Git widget needs from the plugin. */
export interface IGitUI {
  readonly trans: TranslationBundle;
  /** Save open documents, so that what is synced is what the user sees. */
  saveAll(): Promise<void>;
  /** The repository changed here: the section refreshes now instead of at its next poll. */
  changed(): void;
}

/** Run `work` behind an in-progress notification that becomes its outcome. */
async function withProgress<T>(
  message: string,
  work: () => Promise<T>,
  done: (result: T) => { message: string; type: 'success' | 'warning' }
): Promise<T | null> {
  const id = Notification.emit(message, 'in-progress', { autoClose: false });
  try {
    const result = await work();
    const outcome = done(result);
    if (outcome.type === 'success') {
      Notification.update({ id, ...outcome, autoClose: 5000 });
    } else {
      replaceToast('git', () => {
        Notification.update({ id, ...outcome, autoClose: false });
        return id;
      });
    }
    return result;
  } catch (error) {
    const message = errorMessage(error);
    replaceToast('git', () => {
      Notification.update({ id, type: 'error', message, autoClose: false });
      return id;
    });
    return null;
  }
}

/** The one-click flow: save, show the changes, ask for a message, sync, settle conflicts. */
export async function syncWorkspace(ui: IGitUI): Promise<ISyncResult | null> {
  const trans = ui.trans;
  await ui.saveAll();
  let status;
  try {
    status = await gitApi.status();
  } catch (error) {
    showError(error);
    return null;
  }
  ui.changed();
  if (!status.repository) {
    await setUpRepository(ui);
    return null;
  }
  if (status.operation) {
    return settleConflicts(ui, status.conflicts ?? []);
  }
  const message = await askSyncMessage(trans, status);
  if (message === null) {
    return null;
  }
  const result = await withProgress(
    trans.__('Syncing with git…'),
    () => gitApi.sync(message),
    result => ({ message: syncSummary(trans, result), type: result.state === 'conflicts' ? 'warning' : 'success' })
  );
  ui.changed();
  if (result?.state === 'conflicts') {
    return settleConflicts(ui, result.conflicts);
  }
  return result;
}

export async function settleConflicts(ui: IGitUI, conflicts: string[]): Promise<ISyncResult | null> {
  let outcome: ISyncResult | null = null;
  try {
    outcome = await resolveConflicts(ui.trans, conflicts);
  } catch (error) {
    showError(error);
  }
  ui.changed();
  if (outcome) {
    Notification.success(syncSummary(ui.trans, outcome), { autoClose: 5000 });
  }
  return outcome;
}

/** No repository yet: initialise one or clone one, as the user chooses. */
export async function setUpRepository(ui: IGitUI): Promise<void> {
  const choice = await askInitOrClone(ui.trans);
  if (choice === 'init') {
    await initRepository(ui);
  } else if (choice === 'clone') {
    await cloneRepository(ui);
  }
}

export async function initRepository(ui: IGitUI): Promise<void> {
  const trans = ui.trans;
  try {
    await gitApi.init();
    Notification.success(trans.__('Initialised a git repository with a .gitignore. Sync makes the first commit.'), {
      autoClose: 5000
    });
  } catch (error) {
    showError(error);
  }
  ui.changed();
}

export async function cloneRepository(ui: IGitUI): Promise<void> {
  const trans = ui.trans;
  const url = await askCloneUrl(trans);
  if (!url) {
    return;
  }
  await withProgress(
    trans.__('Cloning %1…', url),
    () => gitApi.clone(url),
    status => ({ message: trans.__('Cloned %1 (branch %2).', url, status.branch ?? '—'), type: 'success' })
  );
  ui.changed();
}

export async function rollbackTo(ui: IGitUI, commit: ICommit, path?: string): Promise<void> {
  const trans = ui.trans;
  if (!(await confirmRollback(trans, commit, path))) {
    return;
  }
  await withProgress(
    trans.__('Rolling back to %1…', commit.short_id),
    () => gitApi.rollback(commit.id, path),
    () => ({
      message: trans.__('Rolled back to %1 as a new commit. Sync to share it.', commit.short_id),
      type: 'success'
    })
  );
  ui.changed();
}

export async function openDiff(ui: IGitUI, path: string, commit?: string): Promise<void> {
  try {
    await showDiff(ui.trans, await gitApi.diff(path, commit));
  } catch (error) {
    showError(error);
  }
}
