/**
 * The first start of a workspace lands on the platform: the Platform panel shown, the Launcher
 * (with its Platform section) and the getting-started notebook side by side. Once per JupyterLab
 * workspace: a flag in its state says it was done, so a layout the user made is never replaced.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ISettingRegistry } from '@jupyterlab/settingregistry';
import { IStateDB } from '@jupyterlab/statedb';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';

import { IPlatformPanel } from './tokens';

const PLUGIN_ID = 'jlab-platform:welcome';
const WELCOMED = `${PLUGIN_ID}:welcomed`;
const DEFAULT_NOTEBOOK = 'getting_started.ipynb';
// How long the Launcher keeps drawing after it opens (kernel specs and late plugins add cards).
const SETTLE_MS = 3000;

export const welcomePlugin: JupyterFrontEndPlugin<void> = {
  id: PLUGIN_ID,
  description: 'On the first start of a workspace, open the getting-started notebook with the Platform panel.',
  autoStart: true,
  requires: [IPlatformPanel],
  optional: [IStateDB, ISettingRegistry, ITranslator],
  activate: (
    app: JupyterFrontEnd,
    platform: IPlatformPanel,
    state: IStateDB | null,
    settings: ISettingRegistry | null,
    translator: ITranslator | null
  ) => {
    // The Launcher's Platform section is named by the same translated word as its cards' category.
    const category = (translator ?? nullTranslator).load('jlab_platform').__('Platform');
    if (state) {
      void app.restored.then(() => welcome(app, platform, state, settings, category));
    }
  }
};

async function welcome(
  app: JupyterFrontEnd,
  platform: IPlatformPanel,
  state: IStateDB,
  settings: ISettingRegistry | null,
  category: string
): Promise<void> {
  if (await state.fetch(WELCOMED)) {
    return;
  }
  await state.save(WELCOMED, true);
  const path = settings ? ((await settings.load(PLUGIN_ID)).composite.gettingStarted as string) : DEFAULT_NOTEBOOK;
  if (!path || !(await exists(app, path))) {
    return;
  }
  app.shell.activateById(platform.id);
  if (![...app.shell.widgets('main')].some(widget => widget.node.querySelector('.jp-Launcher'))) {
    await app.commands.execute('launcher:create');
  }
  await app.commands.execute('docmanager:open', { path, options: { mode: 'split-right' } });
  // The Platform section comes after JupyterLab's own: bring it into view, again whenever the
  // Launcher redraws in the first seconds (its cards arrive as kernels and plugins load).
  const reveal = (): void =>
    document
      .querySelector(`.jp-LauncherCard[data-category="${CSS.escape(category)}"]`)
      ?.closest('.jp-Launcher-section')
      ?.scrollIntoView({ block: 'start' });
  await new Promise(resolve => requestAnimationFrame(resolve));
  reveal();
  const launcher = document.querySelector('.jp-Launcher');
  if (launcher) {
    const redraws = new MutationObserver(reveal);
    redraws.observe(launcher, { childList: true, subtree: true });
    setTimeout(() => redraws.disconnect(), SETTLE_MS);
  }
}

async function exists(app: JupyterFrontEnd, path: string): Promise<boolean> {
  // List its folder rather than ask for the file: a missing file would log a 404 in the console.
  const slash = path.lastIndexOf('/');
  const folder = slash < 0 ? '' : path.slice(0, slash);
  try {
    const listing = await app.serviceManager.contents.get(folder, { content: true });
    return Array.isArray(listing.content) && listing.content.some((item: { path: string }) => item.path === path);
  } catch {
    return false;
  }
}
