/**
 * The Git plugin: the Git section of the Platform panel (status badge, Sync, conflicts,
 * history with rollback, Init / Clone) and a Sync button in the notebook toolbar.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, IToolbarWidgetRegistry } from '@jupyterlab/apputils';
import { ITranslator, nullTranslator } from '@jupyterlab/translation';
import { CommandToolbarButton } from '@jupyterlab/ui-components';

import { IPlatformPanel } from '../platform/tokens';
import { IGitUI, syncWorkspace } from './actions';
import { gitSyncIcon } from './icons';
import { GitSection } from './section';

export namespace GitCommandIDs {
  /** Save, show the changes, ask for a message, then commit, pull and push. */
  export const sync = 'jlab-platform:git-sync';
}

export const gitPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jlab-platform:git',
  description: 'Git sync: one-click commit, pull and push; history and rollback.',
  autoStart: true,
  requires: [IPlatformPanel],
  optional: [ITranslator, ICommandPalette, IToolbarWidgetRegistry],
  activate: (
    app: JupyterFrontEnd,
    platform: IPlatformPanel,
    translator: ITranslator | null,
    palette: ICommandPalette | null,
    toolbars: IToolbarWidgetRegistry | null
  ) => {
    const trans = (translator ?? nullTranslator).load('jlab_platform');
    let section: GitSection | null = null;
    const ui: IGitUI = {
      trans,
      saveAll: async () => {
        if (app.commands.hasCommand('docmanager:save-all')) {
          await app.commands.execute('docmanager:save-all');
        }
      },
      changed: () => {
        void section?.refresh();
      }
    };
    section = new GitSection(ui);
    platform.addSection(section);

    app.commands.addCommand(GitCommandIDs.sync, {
      label: trans.__('Sync'),
      caption: trans.__('Save, commit, pull and push the workspace (git)'),
      icon: gitSyncIcon,
      execute: () => syncWorkspace(ui)
    });
    palette?.addItem({ command: GitCommandIDs.sync, category: trans.__('Platform') });
    // The notebook toolbar item "git-sync" (schema/git.json): the command with its label shown.
    toolbars?.addFactory(
      'Notebook',
      'git-sync',
      () =>
        new CommandToolbarButton({
          commands: app.commands,
          id: GitCommandIDs.sync,
          label: trans.__('Sync'),
          icon: gitSyncIcon
        })
    );
  }
};
