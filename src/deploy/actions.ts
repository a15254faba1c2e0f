/** What the Deploy UI does: the deploy flow, and stop/start/delete/rollback/new key of a deployment. */
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import type { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { ApiError } from '../api';
import { el } from '../platform/dom';
import { formatTime } from '../platform/format';
import { INFO_TOAST_MS, showError } from '../platform/notify';
import { deployApi, IDeployment, IDeploymentPreview } from './client';
import { askDeploy, IDeployInitial, showKey } from './dialog';
import { shortCommit } from './model';
import { statusLabel } from './states';

/** What every Deploy widget needs from the plugin. */
export interface IDeployUI {
  readonly trans: TranslationBundle;
  readonly translator: ITranslator;
  /** Deployments changed here: the section and the open tabs refresh now. */
  changed(): void;
  openTryIt(name: string): void;
  openLog(name: string): void;
  /** The Git sync flow (save, message, commit, pull, push); resolves when it is over. */
  sync(): Promise<void>;
}

async function preview(source: string): Promise<IDeploymentPreview | null> {
  try {
    return await deployApi.preview(source);
  } catch (error) {
    showError(error);
    return null;
  }
}

/** A new version of a deployed name starts from that deployment's settings (trimmed inputs, description...). */
function initialChoice(name: string, deployed: IDeployment[]): IDeployInitial {
  const current = deployed.find(deployment => deployment.name === name);
  if (!current) {
    return { name };
  }
  return {
    name,
    description: current.description,
    inputs: current.inputs.map(field => field.name),
    outputs: current.outputs.map(field => field.name),
    workers: current.workers,
    batchSize: current.batch.max_size,
    windowMs: current.batch.window_ms
  };
}

/** Deploy `source` (a run folder, a .py file, a ModelArts folder): ask, sync if chosen, create, show the key. */
export async function deploySource(ui: IDeployUI, source: string): Promise<IDeployment | null> {
  const trans = ui.trans;
  let plan = await preview(source);
  if (!plan) {
    return null;
  }
  // Without the list the dialog only says less (that a name exists); deploying still works.
  const deployed = await deployApi.list().catch(() => [] as IDeployment[]);
  const taken = new Set(deployed.map(deployment => deployment.name));
  let initial = initialChoice(plan.suggested_name, deployed);
  let problem: string | null = null;
  for (;;) {
    const choice = await askDeploy(trans, plan, initial, problem, taken);
    if (!choice) {
      return null;
    }
    initial = choice;
    problem = null;
    if (choice.sync) {
      await ui.sync();
      plan = await preview(source);
      if (!plan) {
        return null;
      }
      if (plan.uncommitted) {
        // The sync was cancelled or stopped on conflicts: the dialog says what the workspace holds now.
        continue;
      }
    }
    try {
      const created = await deployApi.create({
        source,
        name: choice.name,
        description: choice.description,
        checkpoint: choice.checkpoint,
        inputs: choice.inputs,
        outputs: choice.outputs,
        workers: choice.workers,
        batch: { max_size: choice.batchSize, window_ms: choice.windowMs },
        // The dialog said so: a name deployed already gets a new version (its keys stay valid).
        replace: taken.has(choice.name)
      });
      ui.changed();
      ui.openTryIt(created.name);
      if (created.key === null) {
        Notification.info(trans.__('A new version of %1 is starting; its API keys stay valid.', created.name), {
          autoClose: INFO_TOAST_MS
        });
      } else {
        await showKey(trans, created.name, created.key);
      }
      return created;
    } catch (error) {
      if (error instanceof ApiError && (error.status === 409 || error.field === 'name')) {
        problem = error.fields.name ?? error.message;
        continue;
      }
      showError(error);
      return null;
    }
  }
}

/** Run `call`, then refresh; a failure shows the server's message. */
async function act(ui: IDeployUI, call: () => Promise<unknown>): Promise<boolean> {
  try {
    await call();
    return true;
  } catch (error) {
    showError(error);
    return false;
  } finally {
    ui.changed();
  }
}

export function stopDeployment(ui: IDeployUI, name: string): Promise<boolean> {
  return act(ui, () => deployApi.stop(name));
}

export function startDeployment(ui: IDeployUI, name: string): Promise<boolean> {
  return act(ui, () => deployApi.start(name));
}

export async function deleteDeployment(ui: IDeployUI, name: string): Promise<boolean> {
  const trans = ui.trans;
  const result = await showDialog({
    title: trans.__('Delete %1?', name),
    body: trans.__(
      'The service stops, and its history, API keys and code snapshots are deleted. Callers get errors from now on.'
    ),
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.warnButton({ label: trans.__('Delete') })]
  });
  return result.button.accept && act(ui, () => deployApi.remove(name));
}

/** The history of a name to pick the deployment to go back to. */
class HistoryChoice extends Widget {
  constructor(trans: TranslationBundle, history: IDeployment[]) {
    super({ node: el('div', 'jp-DeployHistory') });
    this.node.append(
      el(
        'p',
        '',
        trans.__(
          'Redeploy the code and checkpoint of an earlier deployment. It starts beside the current one and takes over its name once ready; requests in flight finish.'
        )
      )
    );
    const list = el('div', 'jp-DeployHistory-list');
    for (const item of history) {
      const radio = el('input');
      radio.type = 'radio';
      radio.name = 'jp-deploy-history';
      radio.value = item.id;
      radio.disabled = item.active;
      const label = el('label', 'jp-DeployHistory-item');
      label.dataset.id = item.id;
      const commit = shortCommit(item.commit) ?? trans.__('no commit');
      const facts = [
        formatTime(item.created_at),
        item.uncommitted ? trans.__('%1 (uncommitted)', commit) : commit,
        item.checkpoint ?? '',
        item.active ? trans.__('current · %1', statusLabel(trans, item.status)) : ''
      ].filter(Boolean);
      label.append(radio, el('span', 'jp-DeployHistory-facts', facts.join(' · ')));
      if (item.description) {
        label.append(el('span', 'jp-DeployHistory-description', item.description));
      }
      if (!item.active && !list.querySelector('input:checked')) {
        radio.checked = true;
      }
      label.classList.toggle('jp-mod-current', item.active);
      list.append(label);
    }
    this.node.append(list);
  }

  getValue(): string | null {
    return this.node.querySelector<HTMLInputElement>('input:checked')?.value ?? null;
  }
}

export async function rollback(ui: IDeployUI, name: string): Promise<void> {
  const trans = ui.trans;
  let history: IDeployment[];
  try {
    history = await deployApi.history(name);
  } catch (error) {
    showError(error);
    return;
  }
  if (!history.some(item => !item.active)) {
    Notification.info(trans.__('%1 has no earlier deployment to roll back to.', name), { autoClose: INFO_TOAST_MS });
    return;
  }
  const result = await showDialog<string | null>({
    title: trans.__('Roll back %1', name),
    body: new HistoryChoice(trans, history),
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.okButton({ label: trans.__('Roll back') })]
  });
  const to = result.value;
  if (result.button.accept && to && (await act(ui, () => deployApi.rollback(name, to)))) {
    Notification.info(trans.__('Rolling %1 back: the earlier version takes over once it is ready.', name), {
      autoClose: INFO_TOAST_MS
    });
  }
}
