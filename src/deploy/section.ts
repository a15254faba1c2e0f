/**
 * The "Deployments" section of the Platform panel: each name's current deployment with its status,
 * source, commit and URL, and its actions (try it, log, stop/start, roll back, new key, export, delete).
 */
import { Clipboard } from '@jupyterlab/apputils';
import {
  copyIcon,
  deleteIcon,
  downloadIcon,
  historyIcon,
  launchIcon,
  listIcon,
  lockIcon,
  refreshIcon,
  runIcon,
  stopIcon
} from '@jupyterlab/ui-components';

import { el, iconButton } from '../platform/dom';
import { errorMessage } from '../platform/format';
import { KeyedList, setAttr, setText } from '../platform/keyed';
import { WhileShownWidget } from '../platform/shown';
import { deleteDeployment, IDeployUI, rollback, startDeployment, stopDeployment } from './actions';
import { deployApi, IDeployment } from './client';
import { manageKeys } from './keys';
import { shortCommit, sourceLabel } from './model';
import { isRunning, statusClass, statusLabel } from './states';

const POLL_MS = 3000;

interface IRow {
  readonly node: HTMLLIElement;
  readonly status: HTMLSpanElement;
  readonly source: HTMLSpanElement;
  readonly commit: HTMLSpanElement;
  readonly url: HTMLSpanElement;
  readonly reason: HTMLDivElement;
  readonly stop: HTMLButtonElement;
  readonly start: HTMLButtonElement;
  deployment: IDeployment;
}

export class DeploySection extends WhileShownWidget {
  constructor(private readonly ui: IDeployUI) {
    super();
    const trans = ui.trans;
    this.addClass('jp-DeploySection');
    this.id = 'jlab-platform-deploy-section';
    const header = el('div', 'jp-PlatformPanel-top');
    const actions = el('span', 'jp-DeploySection-actions');
    actions.append(iconButton(refreshIcon, trans.__('Refresh'), 'refresh', () => void this.refresh()));
    header.append(el('div', 'jp-PlatformPanel-title', trans.__('Deployments')), actions);
    this._list = el('ul', 'jp-DeployList');
    this._rows = new KeyedList(this._list, {
      key: deployment => deployment.name,
      create: deployment => this._row(deployment),
      update: (row, deployment) => this._update(row, deployment)
    });
    this._message = el('div', 'jp-DeploySection-message');
    this.node.append(header, this._list, this._message);
  }

  async refresh(): Promise<void> {
    let deployments: IDeployment[];
    try {
      deployments = await deployApi.list();
    } catch (error) {
      setText(this._message, this.ui.trans.__('Cannot list deployments: %1', errorMessage(error)));
      return;
    }
    this._rows.update(deployments);
    setText(
      this._message,
      deployments.length
        ? ''
        : this.ui.trans.__(
            'Nothing deployed. Deploy a .py file from its context menu or toolbar, or a module run from Modules & Datasets.'
          )
    );
  }

  protected readonly pollMs = POLL_MS;

  /** A row per name: a rollback replaces the deployment, the row stays (focus and scroll kept). */
  private _row(deployment: IDeployment): IRow {
    const trans = this.ui.trans;
    const name = deployment.name;
    const node = el('li', 'jp-DeployRow');
    node.dataset.name = name;
    const top = el('div', 'jp-DeployRow-top');
    const title = el('button', 'jp-DeployRow-name', name);
    title.type = 'button';
    title.title = trans.__('Try %1', name);
    title.addEventListener('click', () => this.ui.openTryIt(name));
    const status = el('span', 'jp-DeployStatus');
    top.append(title, status);

    const meta = el('div', 'jp-DeployRow-meta');
    const source = el('span', 'jp-DeployRow-source');
    const commit = el('span', 'jp-DeployRow-commit');
    meta.append(source, commit);

    const urlLine = el('div', 'jp-DeployRow-urlLine');
    const url = el('span', 'jp-DeployRow-url');
    const copy = iconButton(copyIcon, trans.__('Copy the service URL'), 'copy-url', () =>
      Clipboard.copyToSystem(row.deployment.url)
    );
    urlLine.append(url, copy);
    const reason = el('div', 'jp-DeployRow-reason');

    const stop = iconButton(stopIcon, trans.__('Stop %1', name), 'stop', () => void stopDeployment(this.ui, name));
    const start = iconButton(runIcon, trans.__('Start %1', name), 'start', () => void startDeployment(this.ui, name));
    const exportLink = el('a', 'jp-Button jp-mod-minimal jp-JobAction');
    exportLink.dataset.action = 'export';
    exportLink.href = deployApi.exportUrl(name);
    exportLink.setAttribute('download', '');
    exportLink.title = trans.__('Download %1 as a bundle that runs anywhere (deploy.sh, Dockerfile)', name);
    exportLink.setAttribute('aria-label', exportLink.title);
    exportLink.append(downloadIcon.element({ tag: 'span', className: 'jp-JobAction-icon' }));
    const buttons = el('div', 'jp-DeployRow-actions');
    buttons.append(
      iconButton(launchIcon, trans.__('Try %1', name), 'try', () => this.ui.openTryIt(name)),
      iconButton(listIcon, trans.__('Log of %1', name), 'log', () => this.ui.openLog(name)),
      stop,
      start,
      iconButton(historyIcon, trans.__('Roll back %1 to an earlier deployment', name), 'rollback', () =>
        rollback(this.ui, name)
      ),
      iconButton(lockIcon, trans.__('API keys of %1', name), 'keys', () => manageKeys(this.ui, name)),
      exportLink,
      iconButton(deleteIcon, trans.__('Delete %1', name), 'delete', () => void deleteDeployment(this.ui, name))
    );
    node.append(top, meta, urlLine, reason, buttons);
    const row: IRow = { node, status, source, commit, url, reason, stop, start, deployment };
    return row;
  }

  private _update(row: IRow, deployment: IDeployment): void {
    const trans = this.ui.trans;
    row.deployment = deployment;
    setAttr(row.node, 'data-status', deployment.status);
    setAttr(row.node, 'data-id', deployment.id);
    setText(row.status, statusLabel(trans, deployment.status));
    setAttr(row.status, 'class', `jp-DeployStatus ${statusClass(deployment.status)}`);
    // The narrow panel shows the end of the path (the file, the module's run); the tooltip all of it.
    const source = deployment.model_version ?? deployment.source;
    setText(row.source, deployment.model_version ?? sourceLabel(deployment.source, deployment.module));
    setAttr(row.source, 'title', deployment.description ? `${source}\n${deployment.description}` : source);
    const commit = shortCommit(deployment.commit);
    setText(
      row.commit,
      commit === null ? trans.__('no commit') : deployment.uncommitted ? trans.__('%1 (uncommitted)', commit) : commit
    );
    setAttr(row.commit, 'title', deployment.commit ?? '');
    row.commit.classList.toggle('jp-mod-uncommitted', deployment.uncommitted);
    setText(row.url, deployment.url);
    setAttr(row.url, 'title', trans.__('Callers outside JupyterLab send an API key to %1', deployment.url));
    setText(
      row.reason,
      deployment.status === 'failed' || deployment.status === 'stopped' ? (deployment.reason ?? '') : ''
    );
    const running = isRunning(deployment.status);
    row.stop.hidden = !running;
    row.start.hidden = running;
  }

  private _list: HTMLUListElement;
  private _rows: KeyedList<IDeployment, IRow>;
  private _message: HTMLDivElement;
}
