/**
 * The TensorBoard plugin: a main-area tab per log folder, opened from the job view, the file
 * browser (a folder's context menu), the palette, the launcher and `%platform_tensorboard`
 * outputs; and the TensorBoard section of the Platform panel.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, InputDialog, ISessionContext, IThemeManager, MainAreaWidget } from '@jupyterlab/apputils';
import { IConsoleTracker } from '@jupyterlab/console';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { INotebookTracker } from '@jupyterlab/notebook';
import { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import { KernelMessage } from '@jupyterlab/services';
import { ITranslator } from '@jupyterlab/translation';
import type { Widget } from '@lumino/widgets';

import { platformApi } from '../platform/client';
import { Feature } from '../platform/feature';
import { addPlatformCard } from '../platform/launcher';
import { IPlatformPanel } from '../platform/tokens';
import { tensorboardIcon } from './icons';
import { normalizeFolder, parseOutput, TENSORBOARD_MIME } from './model';
import { tensorboardRendererFactory } from './output';
import { TensorBoardSection } from './section';
import { createTensorBoardWidget, ITensorBoardUI, TensorBoardView } from './view';

export namespace TensorBoardCommandIDs {
  /** Open the tab of the folder `args.logdir`; without it, ask for the folder. */
  export const open = 'jlab-platform:open-tensorboard';
  /** Open the tab of the folder selected in the file browser (its context menu). */
  export const openSelected = 'jlab-platform:open-tensorboard-selected';
}

/** Where a new tab goes: beside `ref` (the notebook that asked for it), else on its own. */
interface IPlacement {
  ref?: string;
  activate?: boolean;
}

export const tensorboardPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jlab-platform:tensorboard',
  description: 'TensorBoard in JupyterLab tabs: per log folder, proxied under the server, one click from a job.',
  autoStart: true,
  requires: [IPlatformPanel],
  optional: [
    ITranslator,
    ICommandPalette,
    ILayoutRestorer,
    IDefaultFileBrowser,
    IRenderMimeRegistry,
    INotebookTracker,
    IConsoleTracker,
    IThemeManager,
    ILauncher
  ],
  activate: (
    app: JupyterFrontEnd,
    platform: IPlatformPanel,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null,
    browser: IDefaultFileBrowser | null,
    rendermime: IRenderMimeRegistry | null,
    notebooks: INotebookTracker | null,
    consoles: IConsoleTracker | null,
    themes: IThemeManager | null,
    launcher: ILauncher | null
  ) => {
    const feature = new Feature<TensorBoardView>(app, {
      translator,
      restorer,
      namespace: 'jlab-platform-tensorboard',
      command: TensorBoardCommandIDs.open,
      arg: 'logdir',
      key: view => view.logdir,
      refreshTabs: true
    });
    const trans = feature.trans;
    const ui: ITensorBoardUI = {
      ...feature.ui,
      isDark: () => !!themes?.theme && !themes.isLight(themes.theme)
    };
    themes?.themeChanged.connect(() => feature.tracker.forEach(widget => widget.content.followTheme()));

    /** The folder's tab, reused when it is open (and started again when its instance stopped). */
    const open = (logdir: string, placement: IPlacement = {}): MainAreaWidget<TensorBoardView> => {
      const folder = normalizeFolder(logdir);
      const existing = feature.find(folder);
      if (existing) {
        if (existing.content.state === 'stopped' || existing.content.state === 'failed') {
          void existing.content.start();
        }
        if (placement.activate !== false) {
          app.shell.activateById(existing.id);
        }
        return existing;
      }
      const widget = createTensorBoardWidget(ui, folder);
      feature.add(widget, {
        ref: placement.ref,
        mode: placement.ref ? 'split-right' : undefined,
        activate: placement.activate
      });
      void widget.content.start();
      return widget;
    };

    feature.addSection(platform, new TensorBoardSection({ ...ui, open: logdir => void open(logdir) }));

    /** Where the server writes every job's run (`tensorboard_runs_dir`); null outside the workspace. */
    const runsFolder = async (): Promise<string | null> => {
      const info = platform.header.info ?? (await platformApi.info().catch(() => null));
      return info?.tensorboard_runs_dir ?? null;
    };

    const ask = async (): Promise<void> => {
      const runs = await runsFolder();
      const result = await InputDialog.getText({
        title: trans.__('Open TensorBoard'),
        label:
          runs === null
            ? trans.__('Log folder (relative to the workspace)')
            : trans.__('Log folder (relative to the workspace); every job writes its run under %1', `${runs}/`),
        text: runs ?? '',
        okLabel: trans.__('Open')
      });
      if (result.button.accept && result.value !== null) {
        open(result.value);
      }
    };

    app.commands.addCommand(TensorBoardCommandIDs.open, {
      label: args => (args.logdir ? trans.__('Open TensorBoard') : trans.__('Open TensorBoard…')),
      caption: trans.__('Start TensorBoard for a log folder and open it in a tab'),
      icon: tensorboardIcon,
      execute: args => (typeof args.logdir === 'string' ? open(args.logdir) : ask())
    });
    palette?.addItem({ command: TensorBoardCommandIDs.open, category: trans.__('Platform') });

    if (browser) {
      const selectedFolder = (): string | null => {
        const item = browser.selectedItems().next();
        return !item.done && item.value.type === 'directory' ? item.value.path : null;
      };
      app.commands.addCommand(TensorBoardCommandIDs.openSelected, {
        label: trans.__('Open in TensorBoard'),
        caption: trans.__('Start TensorBoard for this folder and open it in a tab'),
        icon: tensorboardIcon,
        isVisible: () => selectedFolder() !== null,
        execute: () => {
          const folder = selectedFolder();
          return folder === null ? undefined : open(folder);
        }
      });
    }

    addPlatformCard(app, launcher, trans, {
      name: 'tensorboard',
      label: trans.__('TensorBoard'),
      caption: trans.__('Start TensorBoard for a log folder'),
      icon: tensorboardIcon,
      rank: 40,
      execute: ask
    });

    // The card's button opens the tab beside the notebook the card is in (the current widget on a click).
    rendermime?.addFactory(
      tensorboardRendererFactory(trans, logdir => void open(logdir, { ref: app.shell.currentWidget?.id }))
    );

    // `%platform_tensorboard` opens the tab when the kernel sends its output, beside the notebook
    // or console that ran it; a saved output shown again only offers its button.
    const follow = (panel: Widget & { sessionContext: ISessionContext }): void => {
      panel.sessionContext.iopubMessage.connect((_, message) => {
        if (!KernelMessage.isDisplayDataMsg(message) && !KernelMessage.isExecuteResultMsg(message)) {
          return;
        }
        const output = parseOutput(message.content.data[TENSORBOARD_MIME]);
        if (output) {
          open(output.logdir, { ref: panel.id, activate: false });
        }
      });
    };
    for (const kernelTracker of [notebooks, consoles]) {
      kernelTracker?.widgetAdded.connect((_, panel) => follow(panel));
      kernelTracker?.forEach(follow);
    }
  }
};
