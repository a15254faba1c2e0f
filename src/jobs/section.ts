/** The "Jobs" section of the Platform panel: a live list of jobs with their actions. */
import { deleteIcon, listIcon, refreshIcon, stopIcon } from '@jupyterlab/ui-components';

import { jobsApi } from './client';
import { CoalescedLoad } from '../platform/coalesce';
import { WhileShownWidget } from '../platform/shown';
import { deleteJob, IJobsUI, restartJob, terminateJob } from './actions';
import { el, iconButton } from '../platform/dom';
import { errorMessage } from '../platform/format';
import { envBadge, setStatus, statusIcon } from './dom';
import { clusterSummary, snapshotSummary, snapshotsNearlyFull } from './cluster';
import { canRestart, formatDuration, IJob, liveRuntime } from './model';
import { isFinished, JOB_STATUSES, JobStatus, statusLabel } from './states';

const POLL_MS = 2000;
const TICK_MS = 1000;
const PAGE = 100;

/** One job in the list; updated in place so focus and hover survive a poll. */
class JobRow {
  readonly node: HTMLLIElement;

  constructor(
    private readonly ui: IJobsUI,
    job: IJob
  ) {
    const trans = ui.trans;
    this.node = el('li', 'jp-JobRow');
    this.node.dataset.jobId = job.id;
    this._icon = statusIcon(trans, job.status);
    this._name = el('button', 'jp-JobRow-name');
    this._name.type = 'button';
    this._name.addEventListener('click', () => ui.openJob(this._job.id));
    this._env = el('span');
    this._runtime = el('span', 'jp-JobRow-runtime');
    this._script = el('span', 'jp-JobRow-script');
    this._actions = el('span', 'jp-JobRow-actions');
    const top = el('div', 'jp-JobRow-line');
    top.append(this._name, this._env, this._runtime);
    const bottom = el('div', 'jp-JobRow-line');
    bottom.append(this._script, this._actions);
    const main = el('div', 'jp-JobRow-main');
    main.append(top, bottom);
    this.node.append(this._icon, main);
    this._job = job;
    this.update(job, Date.now());
  }

  get job(): IJob {
    return this._job;
  }

  update(job: IJob, fetchedAt: number): void {
    const trans = this.ui.trans;
    const statusChanged = job.status !== this._renderedStatus;
    this._job = job;
    this._fetchedAt = fetchedAt;
    this.node.dataset.status = job.status;
    setStatus(this._icon, trans, job.status);
    if (job.reason) {
      this._icon.title = trans.__('%1: %2', statusLabel(trans, job.status), job.reason);
    }
    this._name.textContent = job.name;
    this._name.title = trans.__('Open the log and metrics of %1', job.name);
    if (this._env.dataset.env !== job.env) {
      this._env.replaceWith((this._env = envBadge(job.env)));
    }
    this._script.textContent = job.script;
    this._script.title = job.args.length ? `${job.script} ${job.args.join(' ')}` : job.script;
    this.tick(Date.now());
    if (statusChanged) {
      this._renderActions();
      this._renderedStatus = job.status;
    }
  }

  /** Refresh the runtime text (live while the job runs). */
  tick(now: number): void {
    const seconds = liveRuntime(this._job, this._fetchedAt, now);
    this._runtime.textContent = seconds === null ? '' : formatDuration(seconds);
  }

  private _renderActions(): void {
    const { trans } = this.ui;
    const job = (): IJob => this._job;
    const buttons = [iconButton(listIcon, trans.__('Log and metrics'), 'log', () => this.ui.openJob(job().id))];
    const restart = (): void => void restartJob(this.ui, job());
    const remove = (): void => void deleteJob(this.ui, job());
    const terminate = (): void => void terminateJob(this.ui, job());
    if (isFinished(this._job.status)) {
      if (canRestart(this._job)) {
        buttons.push(iconButton(refreshIcon, trans.__('Restart from its snapshot'), 'restart', restart));
      }
      buttons.push(iconButton(deleteIcon, trans.__('Delete'), 'delete', remove));
    } else {
      buttons.push(iconButton(stopIcon, trans.__('Terminate'), 'terminate', terminate));
    }
    this._actions.replaceChildren(...buttons);
  }

  private _job: IJob;
  private _fetchedAt = Date.now();
  private _renderedStatus: JobStatus | null = null;
  private _icon: HTMLElement;
  private _name: HTMLButtonElement;
  private _env: HTMLElement;
  private _runtime: HTMLElement;
  private _script: HTMLElement;
  private _actions: HTMLElement;
}

export class JobsSection extends WhileShownWidget {
  constructor(private readonly ui: IJobsUI) {
    super();
    const trans = ui.trans;
    this.id = 'jlab-platform-jobs';
    this.addClass('jp-JobsSection');

    const title = el('div', 'jp-PlatformPanel-title', trans.__('Jobs'));
    this._filter = el('select', 'jp-JobsSection-filter');
    this._filter.title = trans.__('Show jobs with this status');
    this._filter.setAttribute('aria-label', this._filter.title);
    this._filter.append(new Option(trans.__('All'), ''));
    for (const status of JOB_STATUSES) {
      this._filter.append(new Option(statusLabel(trans, status), status));
    }
    this._filter.addEventListener('change', () => void this.refresh());
    const top = el('div', 'jp-PlatformPanel-top');
    top.append(title, this._filter);

    this._cluster = el('div', 'jp-JobsSection-cluster');
    this._snapshots = el('div', 'jp-JobsSection-snapshots');
    this._snapshots.title = trans.__(
      'Disk taken by job snapshots, kept for restarts. Delete finished jobs you no longer need to free it.'
    );
    this._list = el('ul', 'jp-JobsSection-list');
    this._message = el('div', 'jp-JobsSection-message');
    this._footer = el('div', 'jp-JobsSection-footer');
    this.node.append(top, this._cluster, this._snapshots, this._message, this._list, this._footer);
    this._message.textContent = trans.__('Loading jobs…');
  }

  /** Ask the server now; overlapping calls collapse into one more round. */
  async refresh(): Promise<void> {
    await this._loads.run();
  }

  private async _load(): Promise<void> {
    const trans = this.ui.trans;
    const status = (this._filter.value || undefined) as JobStatus | undefined;
    let page;
    try {
      page = await jobsApi.list({ status, limit: PAGE });
    } catch (error) {
      const message = errorMessage(error);
      this._message.textContent = trans.__('Cannot list jobs: %1', message);
      this._message.classList.add('jp-mod-error');
      return;
    }
    this._message.classList.remove('jp-mod-error');
    this._render(page.jobs, status);
    this._snapshots.textContent = snapshotSummary(trans, page.snapshots);
    this._snapshots.classList.toggle('jp-mod-warn', snapshotsNearlyFull(page.snapshots));
    void this._loadCluster();
    this._footer.textContent =
      page.total > page.jobs.length ? trans.__('Showing the newest %1 of %2 jobs', page.jobs.length, page.total) : '';
  }

  private async _loadCluster(): Promise<void> {
    const trans = this.ui.trans;
    try {
      const cluster = await jobsApi.cluster();
      this._cluster.textContent = clusterSummary(trans, cluster);
      this._cluster.title = cluster.address ?? '';
      this._cluster.classList.remove('jp-mod-error');
    } catch (error) {
      const message = errorMessage(error);
      this._cluster.textContent = trans.__('Cluster: %1', message);
      this._cluster.classList.add('jp-mod-error');
    }
  }

  private _render(jobs: IJob[], status: JobStatus | undefined): void {
    const trans = this.ui.trans;
    const now = Date.now();
    const rows: JobRow[] = [];
    const keep = new Set(jobs.map(job => job.id));
    for (const [id, row] of this._rows) {
      if (!keep.has(id)) {
        row.node.remove();
        this._rows.delete(id);
      }
    }
    for (const job of jobs) {
      let row = this._rows.get(job.id);
      if (row) {
        row.update(job, now);
      } else {
        row = new JobRow(this.ui, job);
        this._rows.set(job.id, row);
      }
      rows.push(row);
    }
    // Re-append only when the order changed: moving a node would drop focus from its buttons.
    const inOrder = rows.every((row, index) => this._list.children[index] === row.node);
    if (!inOrder || this._list.children.length !== rows.length) {
      this._list.replaceChildren(...rows.map(row => row.node));
    }
    if (jobs.length) {
      this._message.textContent = '';
    } else if (status) {
      this._message.textContent = trans.__('No %1 jobs.', statusLabel(trans, status));
    } else {
      this._message.textContent = trans.__('No jobs yet. Right-click a .py or .ipynb file → Run as Job…');
    }
  }

  protected readonly pollMs = POLL_MS;

  /** Running jobs' runtimes count up every second between polls. */
  protected onStartPolling(): void {
    this._tick = window.setInterval(() => {
      const now = Date.now();
      for (const row of this._rows.values()) {
        if (row.job.status === 'running') {
          row.tick(now);
        }
      }
    }, TICK_MS);
  }

  protected onStopPolling(): void {
    window.clearInterval(this._tick);
  }

  private _filter: HTMLSelectElement;
  private _cluster: HTMLDivElement;
  private _snapshots: HTMLDivElement;
  private _list: HTMLUListElement;
  private _message: HTMLDivElement;
  private _footer: HTMLDivElement;
  private _rows = new Map<string, JobRow>();
  private readonly _loads = new CoalescedLoad(
    () => this._load(),
    () => this.isDisposed
  );
  private _tick = 0;
}
