/**
 * Capture and restore cell output: "Capture Output" and "Restore Output" (command palette,
 * notebook context menu, cell toolbar), the Captures section of the Platform panel, and an
 * offer to restore when a notebook opens whose capture ran on while it was closed.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, WidgetTracker } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { IPlatformPanel } from '../platform/tokens';
import { CaptureActions } from './actions';
import { captureIcon, restoreIcon } from './icons';
import { asNotebookPanel, NotebookPanel } from './notebooks';
import { offerRestore } from './notify';
import { CapturesSection } from './section';

export namespace CaptureCommandIDs {
  /** Put `%%capture_output NAME` on the active cell. */
  export const capture = 'jlab-platform:capture-output';
  /** Insert `%restore_output NAME` below the active cell and run it. */
  export const restore = 'jlab-platform:restore-output';
}

export const capturePlugin: JupyterFrontEndPlugin<void> = {
  id: 'jlab-platform:capture',
  description: 'Capture what a cell outputs on the server while it runs, and restore it in any later kernel.',
  autoStart: true,
  requires: [IPlatformPanel],
  optional: [ITranslator, ICommandPalette],
  activate: (
    app: JupyterFrontEnd,
    platform: IPlatformPanel,
    translator: ITranslator | null,
    palette: ICommandPalette | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jlab_platform');
    const notebooks = new WidgetTracker<NotebookPanel>({ namespace: 'jlab-platform-capture-notebooks' });
    const ui = new CaptureActions(app, notebooks, trans);
    platform.addSection(new CapturesSection(ui));

    app.docRegistry.addWidgetExtension('Notebook', {
      createNew: (widget, context) => {
        const panel = asNotebookPanel(widget);
        if (panel) {
          void notebooks.add(panel);
          void context.ready.then(() => offerRestore(ui, panel));
        }
      }
    });

    const hasNotebook = (): boolean => asNotebookPanel(notebooks.currentWidget) !== null;
    app.commands.addCommand(CaptureCommandIDs.capture, {
      label: trans.__('Capture Output'),
      caption: trans.__('Save everything this cell outputs on the server while it runs, to restore it later'),
      icon: captureIcon,
      isEnabled: hasNotebook,
      execute: () => ui.captureActiveCell()
    });
    app.commands.addCommand(CaptureCommandIDs.restore, {
      label: trans.__('Restore Output'),
      caption: trans.__('Show again, in a new cell below, the output a cell captured'),
      icon: restoreIcon,
      isEnabled: hasNotebook,
      execute: () => ui.restoreBelowActiveCell()
    });
    const category = trans.__('Platform');
    palette?.addItem({ command: CaptureCommandIDs.capture, category });
    palette?.addItem({ command: CaptureCommandIDs.restore, category });
  }
};
