/** The conflict dialog: keep mine / take theirs per file, or abort the sync. */
import { Dialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { gitApi } from './client';
import { el } from '../platform/dom';
import { errorMessage } from '../platform/format';
import { ISyncResult, ResolveChoice } from './model';

/** How the dialog ended: the last result from the server, or null when closed with conflicts left. */
export type ConflictOutcome = ISyncResult | null;

class ConflictList extends Widget {
  constructor(
    private readonly trans: TranslationBundle,
    conflicts: string[],
    private readonly onFinished: (result: ISyncResult) => void
  ) {
    super();
    this.addClass('jp-GitConflicts');
    this._intro = el('p', 'jp-GitConflicts-intro');
    this._list = el('ul', 'jp-GitConflicts-list');
    this._error = el('p', 'jp-GitSync-problem');
    this.node.append(this._intro, this._list, this._error);
    this.render(conflicts);
  }

  render(conflicts: string[]): void {
    const trans = this.trans;
    this._intro.textContent = trans.__(
      'Your work is committed. For each file, keep your version or take the one from the remote; the sync finishes after the last one. Abort goes back to your version without pushing.'
    );
    this._list.replaceChildren(
      ...conflicts.map(path => {
        const row = el('li', 'jp-GitConflicts-file');
        row.dataset.path = path;
        const mine = this._button(trans.__('Keep mine'), 'mine', path);
        const theirs = this._button(trans.__('Take theirs'), 'theirs', path);
        row.append(el('code', 'jp-GitConflicts-path', path), mine, theirs);
        return row;
      })
    );
  }

  private _button(label: string, choice: ResolveChoice, path: string): HTMLButtonElement {
    const button = el('button', 'jp-Button jp-mod-styled jp-mod-reject jp-GitConflicts-choice', label);
    button.type = 'button';
    button.dataset.choice = choice;
    button.addEventListener('click', () => void this._resolve(path, choice));
    return button;
  }

  private async _resolve(path: string, choice: ResolveChoice): Promise<void> {
    this._setBusy(true);
    this._error.textContent = '';
    try {
      const result = await gitApi.resolve(path, choice);
      if (result.state === 'conflicts') {
        this.render(result.conflicts);
      } else {
        this.onFinished(result);
      }
    } catch (error) {
      this._error.textContent = errorMessage(error);
    } finally {
      this._setBusy(false);
    }
  }

  private _setBusy(busy: boolean): void {
    this.node.querySelectorAll('button').forEach(button => (button.disabled = busy));
  }

  private _intro: HTMLParagraphElement;
  private _list: HTMLUListElement;
  private _error: HTMLParagraphElement;
}

/**
 * Show the conflicting files until each is settled or the user aborts.
 * Resolves with the finished sync, the aborted result, or null when simply closed.
 */
export async function resolveConflicts(trans: TranslationBundle, conflicts: string[]): Promise<ConflictOutcome> {
  let finished: ISyncResult | null = null;
  const body = new ConflictList(trans, conflicts, result => {
    finished = result;
    dialog.resolve(0);
  });
  const dialog = new Dialog({
    title: trans.__('Conflicts with the remote'),
    body,
    // Enter must not abort: the harmless button is the default.
    defaultButton: 0,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Close') }),
      Dialog.warnButton({ label: trans.__('Abort sync'), actions: ['abort'] })
    ]
  });
  const choice = await dialog.launch();
  if (finished) {
    return finished;
  }
  if (choice.button.actions.includes('abort')) {
    return gitApi.abort();
  }
  return null;
}
