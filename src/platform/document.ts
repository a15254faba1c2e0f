/** Documents open in the main area: which one a widget shows, and a button for the Python files in the editor. */
import type { DocumentRegistry, IDocumentWidget } from '@jupyterlab/docregistry';
import type { LabIcon, ToolbarButton } from '@jupyterlab/ui-components';
import type { Widget } from '@lumino/widgets';

import { actionToolbarButton } from './dom';

/** The widget as a document widget (notebook, editor…), or null for anything else. */
export function asDocument(widget: Widget | null | undefined): IDocumentWidget | null {
  return widget && 'context' in widget && 'toolbar' in widget ? (widget as unknown as IDocumentWidget) : null;
}

/** The path of the document shown by `widget`, when it shows one. */
export function documentPath(widget: Widget | null | undefined): string | null {
  return asDocument(widget)?.context.path ?? null;
}

/** What a `ScriptButton` shows, where, and what it does with the file's path. */
export interface IScriptButton {
  /** The toolbar item's name and its index among the editor's items. */
  name: string;
  index: number;
  icon: LabIcon;
  label: string;
  tooltip: string;
  className: string;
  onClick: (path: string) => void;
}

/** A button in the toolbar of the Python files opened in the text editor (an 'Editor' widget extension). */
export class ScriptButton implements DocumentRegistry.WidgetExtension {
  constructor(private readonly button: IScriptButton) {}

  createNew(widget: Widget, context: DocumentRegistry.IContext<DocumentRegistry.IModel>): ToolbarButton | void {
    const toolbar = asDocument(widget)?.toolbar;
    if (!toolbar || !/\.py$/i.test(context.path)) {
      return;
    }
    const { name, index, onClick, ...props } = this.button;
    const button = actionToolbarButton({ ...props, onClick: () => onClick(context.path) });
    toolbar.insertItem(index, name, button);
    return button;
  }
}
