/** What the commands, the panel section and the notifications do: capture, restore, delete. */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import { Dialog, InputDialog, Notification, showDialog, WidgetTracker } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Signal } from '@lumino/signaling';

import { captureApi, ICapture } from './client';
import { showError } from '../platform/notify';
import { capturedName, defaultName, isValidName, MAX_NAME_LENGTH, restoreSource, withCapture } from './model';
import { asNotebookPanel, captureCellIndex, ensureMagics, insertAndRun, NotebookPanel } from './notebooks';

export class CaptureActions {
  /** Captures changed here: lists refresh now instead of at their next poll. */
  readonly changed = new Signal<this, void>(this);

  constructor(
    private readonly app: JupyterFrontEnd,
    readonly notebooks: WidgetTracker<NotebookPanel>,
    readonly trans: TranslationBundle
  ) {}

  /** Make the active cell capture its output: `%%capture_output NAME` as its first line. */
  async captureActiveCell(): Promise<void> {
    const trans = this.trans;
    const panel = this._panelWithCodeCell(trans.__('Select a code cell of a notebook to capture its output.'));
    if (!panel) {
      return;
    }
    const notebook = panel.content;
    const cell = notebook.activeCell!;
    const source = cell.model.sharedModel.getSource();
    const name = await this._askName(
      trans.__('Capture Output'),
      capturedName(source) ?? defaultName(panel.context.path, notebook.activeCellIndex)
    );
    if (name === null) {
      return;
    }
    cell.model.sharedModel.setSource(withCapture(source, name));
    ensureMagics(panel);
  }

  /** Insert `%restore_output NAME` below the active cell and run it. */
  async restoreBelowActiveCell(): Promise<void> {
    const trans = this.trans;
    const panel = this._panelWithCodeCell(trans.__('Select a cell of a notebook to restore captured output below it.'));
    if (!panel) {
      return;
    }
    const cell = panel.content.activeCell!;
    const suggested =
      capturedName(cell.model.sharedModel.getSource()) ??
      (await this._newestCapture(panel.context.path)) ??
      defaultName(panel.context.path, panel.content.activeCellIndex);
    const name = await this._askName(trans.__('Restore Output'), suggested);
    if (name !== null) {
      await this._restoreIn(panel, name, () => panel.content.widgets.indexOf(cell) + 1);
    }
  }

  /** Restore `capture` below its cell, in its notebook (opened when it is not). */
  async restore(capture: ICapture): Promise<void> {
    const panel = await this._notebookOf(capture);
    if (!panel) {
      Notification.warning(
        this.trans.__('Open the notebook to restore “%1” into, then choose Restore again.', capture.name),
        { autoClose: 6000 }
      );
      return;
    }
    await this._restoreIn(panel, capture.name, () => {
      const index = captureCellIndex(panel.content, capture);
      return index >= 0 ? index + 1 : panel.content.activeCellIndex + 1;
    });
  }

  async remove(capture: ICapture): Promise<void> {
    const trans = this.trans;
    const result = await showDialog({
      title: trans.__('Delete captured output?'),
      body: trans.__('Delete “%1” and everything it stored? Restoring it will no longer be possible.', capture.name),
      buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.warnButton({ label: trans.__('Delete') })]
    });
    if (!result.button.accept) {
      return;
    }
    try {
      await captureApi.remove(capture.name);
    } catch (error) {
      showError(error);
    }
    this.changed.emit();
  }

  private async _restoreIn(panel: NotebookPanel, name: string, index: () => number): Promise<void> {
    await panel.context.ready;
    ensureMagics(panel); // may insert a cell at the top: positions are taken after it
    await insertAndRun(this.app, panel, index(), restoreSource(name));
  }

  private _panelWithCodeCell(hint: string): NotebookPanel | null {
    const panel = asNotebookPanel(this.notebooks.currentWidget);
    if (!panel || panel.content.activeCell?.model.type !== 'code') {
      Notification.warning(hint, { autoClose: 5000 });
      return null;
    }
    return panel;
  }

  private async _notebookOf(capture: ICapture): Promise<NotebookPanel | null> {
    if (!capture.notebook) {
      return asNotebookPanel(this.notebooks.currentWidget);
    }
    const open = this.notebooks.find(panel => panel.context.path === capture.notebook);
    if (open) {
      return open;
    }
    const opened = await this.app.commands.execute('docmanager:open', { path: capture.notebook });
    return asNotebookPanel(opened ?? null);
  }

  private async _newestCapture(notebook: string): Promise<string | null> {
    try {
      const { captures } = await captureApi.list({ notebook, limit: 1 });
      return captures[0]?.name ?? null;
    } catch {
      return null;
    }
  }

  /** Ask for a capture name until it is valid; null when the user cancels. */
  private async _askName(title: string, suggested: string): Promise<string | null> {
    const trans = this.trans;
    let text = suggested;
    for (;;) {
      const result = await InputDialog.getText({
        title,
        label: trans.__('Name (letters, digits, “-”, “_” and “.”; at most %1 characters)', MAX_NAME_LENGTH),
        text,
        okLabel: title
      });
      if (!result.button.accept || result.value === null) {
        return null;
      }
      text = result.value.trim();
      if (isValidName(text)) {
        return text;
      }
      Notification.warning(trans.__('“%1” cannot be a capture name.', text), { autoClose: 5000 });
    }
  }
}
