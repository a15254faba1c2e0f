import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, Notification, showErrorMessage } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator, TranslationBundle } from '@jupyterlab/translation';

import { platformApi } from './platform/client';
import { capturePlugin } from './capture/plugin';
import { convertPlugin } from './convert/plugin';
import { crowdPlugin } from './crowd/plugin';
import { deployPlugin } from './deploy/plugin';
import { IPlatformInfo } from './platform/format';
import { gitPlugin } from './git/plugin';
import { jobsPlugin } from './jobs/plugin';
import { evaluationPlugin } from './evaluation/plugin';
import { modelsPlugin } from './models/plugin';
import { modulesPlugin } from './modules/plugin';
import { PlatformPanel } from './platform/panel';
import { IPlatformPanel } from './platform/tokens';
import { unavailableReason } from './platform/unavailable';
import { welcomePlugin } from './platform/welcome';
import { cleanOpenPlugin } from './platform/clean';
import { tensorboardPlugin } from './tensorboard/plugin';
import { FRONTEND_VERSION, versionMismatch } from './version';

const PLUGIN_ID = 'jlab-platform:plugin';

namespace CommandIDs {
  export const open = 'jlab-platform:open';
  export const refreshInfo = 'jlab-platform:refresh-info';
}

/** Ask the server for its version once; say clearly when frontend and server differ. */
async function handshake(trans: TranslationBundle): Promise<IPlatformInfo | null> {
  let info: IPlatformInfo;
  try {
    info = await platformApi.info();
  } catch (error) {
    const reason = unavailableReason(error);
    if (reason) {
      // A toast shows only the start of a long message: what to do is in the details.
      const title = trans.__('The platform cannot work');
      Notification.error(trans.__('%1: %2', title, reason), {
        autoClose: false,
        actions: [{ label: trans.__('Details'), callback: () => void showErrorMessage(title, reason) }]
      });
      return null;
    }
    Notification.error(
      trans.__(
        'The jlab_platform server extension does not answer (%1). Is it installed and enabled? Run: jupyter server extension list',
        String(error)
      ),
      { autoClose: false }
    );
    return null;
  }
  const mismatch = versionMismatch(FRONTEND_VERSION, info.version, (message, ...args) => trans.__(message, ...args));
  if (mismatch) {
    Notification.warning(
      trans.__(
        'jlab_platform versions differ (%1). Reinstall the package and restart JupyterLab so both sides match.',
        mismatch
      ),
      { autoClose: false }
    );
  }
  return info;
}

const plugin: JupyterFrontEndPlugin<IPlatformPanel> = {
  id: PLUGIN_ID,
  description: 'JupyterLab as a deep-learning development platform.',
  autoStart: true,
  provides: IPlatformPanel,
  optional: [ITranslator, ICommandPalette, ILayoutRestorer],
  activate: (
    app: JupyterFrontEnd,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    restorer: ILayoutRestorer | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jlab_platform');
    const panel = new PlatformPanel(trans);
    app.shell.add(panel, 'left', { rank: 850 });
    restorer?.add(panel, panel.id);

    app.commands.addCommand(CommandIDs.open, {
      label: trans.__('Open Platform Panel'),
      execute: () => app.shell.activateById(panel.id)
    });
    app.commands.addCommand(CommandIDs.refreshInfo, {
      label: trans.__('Refresh Platform Info'),
      execute: () => panel.header.refresh(true)
    });
    const category = trans.__('Platform');
    palette?.addItem({ command: CommandIDs.open, category });
    palette?.addItem({ command: CommandIDs.refreshInfo, category });

    void handshake(trans).then(info => {
      if (info) {
        panel.header.setInfo(info);
      } else {
        void panel.header.refresh();
      }
    });
    return panel;
  }
};

export default [
  plugin,
  jobsPlugin,
  gitPlugin,
  convertPlugin,
  modulesPlugin,
  modelsPlugin,
  crowdPlugin,
  capturePlugin,
  evaluationPlugin,
  tensorboardPlugin,
  deployPlugin,
  welcomePlugin,
  cleanOpenPlugin
];
