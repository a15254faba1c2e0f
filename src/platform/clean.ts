/**
 * Notebooks open clean. When its kernel connects, JupyterLab writes the kernel's
 * `language_info` (version, mimetype, ...) into the notebook's metadata, and any change marks the
 * notebook unsaved: a notebook saved by another tool (nbformat, a script, the demo workspace's)
 * showed the unsaved-changes dot right after opening. That metadata is derived, not the user's
 * work, so a notebook clean before it arrives stays clean (it is written with the next save).
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { INotebookTracker, NotebookPanel } from '@jupyterlab/notebook';

export const cleanOpenPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jlab-platform:clean-open',
  description: "A notebook stays clean when its kernel fills in the metadata's language_info.",
  autoStart: true,
  requires: [INotebookTracker],
  activate: (_app: JupyterFrontEnd, notebooks: INotebookTracker) => {
    notebooks.widgetAdded.connect((_, panel) => keepCleanOnLanguageInfo(panel));
  }
};

function keepCleanOnLanguageInfo(panel: NotebookPanel): void {
  const model = panel.context.model;
  // Set while a language_info change arrives in a clean notebook, until its dirty mark follows.
  let derived = false;
  model.metadataChanged.connect((_, change) => {
    if (change.key === 'language_info' && !model.dirty) {
      derived = true;
      // The dirty mark comes in the same change; nothing later may be taken for it.
      void Promise.resolve().then(() => (derived = false));
    }
  });
  model.stateChanged.connect((_, change) => {
    if (change.name === 'dirty' && change.newValue === true && derived) {
      derived = false;
      model.dirty = false;
    }
  });
}
