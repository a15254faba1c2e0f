/**
 * The notebooks capture works on. @jupyterlab/notebook is not a dependency of the extension,
 * so the few parts of its Notebook widget used here are typed structurally and checked at
 * run time; cells are changed through the shared model, and run with the notebook's command.
 */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { IDocumentWidget } from '@jupyterlab/docregistry';
import type { Widget } from '@lumino/widgets';

import type { ICapture } from './client';
import { capturedName, LOAD_LINE, loadsExtension, SILENT_LOAD } from './model';

export interface ICellLike {
  readonly model: {
    readonly id: string;
    readonly type: string;
    readonly sharedModel: { getSource(): string; setSource(source: string): void };
  };
}

export interface INotebookLike extends Widget {
  activeCellIndex: number;
  readonly activeCell: ICellLike | null;
  readonly widgets: ReadonlyArray<ICellLike>;
  readonly model: {
    readonly sharedModel: { insertCell(index: number, cell: { cell_type: 'code'; source: string }): unknown };
  } | null;
  deselectAll(): void;
}

export type NotebookPanel = IDocumentWidget<INotebookLike>;

/** `widget` as a notebook panel, or null when it is something else. */
export function asNotebookPanel(widget: Widget | null): NotebookPanel | null {
  const candidate = widget as unknown as Partial<NotebookPanel> | null;
  const content = candidate?.content as Partial<INotebookLike> | undefined;
  const looksLikeNotebook =
    !!content && 'activeCellIndex' in content && Array.isArray(content.widgets) && 'model' in content;
  return looksLikeNotebook && candidate?.context ? (candidate as NotebookPanel) : null;
}

/** Where a capture's cell is in this notebook (by cell id, then by its magic line); -1 when absent. */
export function captureCellIndex(notebook: INotebookLike, capture: ICapture): number {
  const byId = capture.cell_id ? notebook.widgets.findIndex(cell => cell.model.id === capture.cell_id) : -1;
  if (byId >= 0) {
    return byId;
  }
  return notebook.widgets.findIndex(cell => capturedName(cell.model.sharedModel.getSource()) === capture.name);
}

/**
 * Make `%%capture_output` and `%restore_output` work: load the magics in the running kernel
 * without output, and keep a `%load_ext` cell at the top for the next kernel.
 */
export function ensureMagics(panel: NotebookPanel): void {
  const notebook = panel.content;
  if (!notebook.widgets.some(cell => loadsExtension(cell.model.sharedModel.getSource()))) {
    notebook.model?.sharedModel.insertCell(0, { cell_type: 'code', source: LOAD_LINE });
  }
  // Not awaited: while the kernel is busy (a capture still running) this waits its turn.
  panel.context.sessionContext.session?.kernel?.requestExecute({
    code: SILENT_LOAD,
    silent: true,
    store_history: false
  });
}

/** Insert a code cell with `source` at `index` and run it, as Shift+Enter on it would. */
export async function insertAndRun(
  app: JupyterFrontEnd,
  panel: NotebookPanel,
  index: number,
  source: string
): Promise<void> {
  const notebook = panel.content;
  notebook.model?.sharedModel.insertCell(index, { cell_type: 'code', source });
  app.shell.activateById(panel.id);
  notebook.deselectAll();
  notebook.activeCellIndex = index;
  await app.commands.execute('notebook:run-cell');
}
