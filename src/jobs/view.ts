/** The view of one job in the main area: its facts, metrics and log. */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { refreshIcon, stopIcon } from '@jupyterlab/ui-components';

import { jobsApi } from './client';
import { jobIcon } from '../icons';
import { WhileShownWidget } from '../platform/shown';
import { evaluationIcon } from '../evaluation/icons';
import { tensorboardIcon } from '../tensorboard/icons';
import { IJobsUI, restartJob, terminateJob } from './actions';
import { actionToolbarButton, el } from '../platform/dom';
import { errorMessage, formatTime } from '../platform/format';
import { envBadge, setStatus, statusIcon } from './dom';
import { exitFact, isStopRequest } from './labels';
import { LogArea } from './log';
import { MetricsArea } from './metrics';
import { canRestart, formatDuration, IJob, liveRuntime } from './model';
import { isFinished, statusLabel } from './states';

const POLL_MS = 2000;

/** The facts about a job, as a title line and a list of labelled values. */
class JobHeader {
  readonly node: HTMLElement;

  constructor(private readonly ui: IJobsUI) {
    this.node = el('header', 'jp-JobView-header');
    this._icon = statusIcon(ui.trans, 'pending');
    this._name = el('h2', 'jp-JobView-name');
    this._status = el('span', 'jp-JobView-status');
    const title = el('div', 'jp-JobView-title');
    title.append(this._icon, this._name, this._status);
    this._facts = el('dl', 'jp-JobView-facts');
    this.node.append(title, this._facts);
  }

  showError(text: string): void {
    this._status.textContent = text;
    this._status.classList.add('jp-mod-error');
  }

  update(job: IJob, fetchedAt: number): void {
    const trans = this.ui.trans;
    setStatus(this._icon, trans, job.status);
    this._name.textContent = job.name;
    this._status.textContent = statusLabel(trans, job.status);
    this._status.classList.remove('jp-mod-error');
    this._status.dataset.status = job.status;
    const runtime = liveRuntime(job, fetchedAt, Date.now());
    const rows: [string, string | HTMLElement, string][] = [
      [trans.__('Environment'), envBadge(job.env), 'env'],
      [trans.__('Script'), this._link(job.script, () => this.ui.openPath(job.script)), 'script'],
      [trans.__('Arguments'), job.args.length ? job.args.join(' ') : '—', 'args'],
      [trans.__('Created'), formatTime(job.created_at), 'created'],
      [trans.__('Started'), formatTime(job.started_at), 'started'],
      [trans.__('Finished'), formatTime(job.finished_at), 'finished'],
      [trans.__('Runtime'), runtime === null ? '—' : formatDuration(runtime), 'runtime']
    ];
    const exit = exitFact(trans, job);
    if (exit) {
      rows.push([...exit, 'exit-code']);
    }
    // The reason of a Terminate, or a signal's, would only repeat the exit fact.
    if (job.reason && !isStopRequest(job.reason) && job.reason !== exit?.[1]) {
      rows.push([trans.__('Reason'), job.reason, 'reason']);
    }
    if (job.gpu) {
      rows.push([trans.__('GPU'), job.gpu, 'gpu']);
    }
    if (job.commit) {
      rows.push([trans.__('Commit'), job.commit.slice(0, 12), 'commit']);
    }
    if (job.restarted_from) {
      const from = job.restarted_from;
      rows.push([trans.__('Restarted from'), this._link(from, () => this.ui.openJob(from)), 'restarted-from']);
    }
    if (isFinished(job.status) && job.env !== 'console') {
      rows.push([
        trans.__('Snapshot'),
        job.snapshot_available
          ? job.snapshot_expires_at
            ? trans.__('kept until %1', formatTime(job.snapshot_expires_at))
            : trans.__('kept')
          : trans.__('deleted (restart is no longer possible)'),
        'snapshot'
      ]);
    }
    if (job.outputs && job.outputs.length) {
      const list = el('span', 'jp-JobView-outputs');
      list.append(...job.outputs.map(path => this._link(path, () => this.ui.openPath(path))));
      rows.push([trans.__('Outputs'), list, 'outputs']);
    }
    this._facts.replaceChildren(
      ...rows.flatMap(([label, value, key]) => {
        const dt = el('dt', '', label);
        const dd = el('dd');
        dd.dataset.key = key;
        dd.append(value);
        return [dt, dd];
      })
    );
  }

  private _link(text: string, onClick: () => void): HTMLElement {
    const link = el('button', 'jp-JobView-link', text);
    link.type = 'button';
    link.addEventListener('click', onClick);
    return link;
  }

  private _icon: HTMLElement;
  private _name: HTMLElement;
  private _status: HTMLElement;
  private _facts: HTMLElement;
}

export class JobView extends WhileShownWidget {
  constructor(
    private readonly ui: IJobsUI,
    readonly jobId: string
  ) {
    super();
    this.addClass('jp-JobView');
    this._header = new JobHeader(ui);
    this._metrics = new MetricsArea(ui.trans);
    this._log = new LogArea(ui.trans, jobId, () => void this.refresh());
    const top = el('div', 'jp-JobView-top');
    top.append(this._header.node, this._metrics.node);
    this.node.append(top, this._log.node);
  }

  get job(): IJob | null {
    return this._job;
  }

  /** Called with the job whenever it was fetched (the toolbar follows its status). */
  onJob: ((job: IJob) => void) | null = null;

  async refresh(): Promise<void> {
    const fetchedAt = Date.now();
    let job: IJob;
    try {
      job = await jobsApi.get(this.jobId);
    } catch (error) {
      if ((error as { status?: number }).status === 404) {
        this._gone = true;
        this._header.showError(this.ui.trans.__('This job no longer exists.'));
        this.stopWork();
      } else {
        this._header.showError(errorMessage(error));
      }
      return;
    }
    if (this.isDisposed) {
      return;
    }
    const ended = this._job !== null && !isFinished(this._job.status) && isFinished(job.status);
    this._job = job;
    this._header.update(job, fetchedAt);
    this.onJob?.(job);
    if (job.status !== 'pending') {
      try {
        this._metrics.update(await jobsApi.metrics(this.jobId), job.status === 'running');
      } catch {
        // Metrics are a bonus next to the log; the next poll tries again.
      }
    }
    if (ended) {
      this.ui.changed();
    }
  }

  dispose(): void {
    if (this.isDisposed) {
      return;
    }
    super.dispose();
    this._log.dispose();
  }

  /** The job and its metrics are polled every 2 s while the job has not ended and the view is visible. */
  protected readonly pollMs = POLL_MS;

  protected canPoll(): boolean {
    return !this._gone;
  }

  protected async poll(): Promise<boolean> {
    await this.refresh();
    return (this._job === null || !isFinished(this._job.status)) && !this._gone;
  }

  /** Following the log holds a connection open: only visible views do it. */
  protected onStartPolling(): void {
    this._log.start();
  }

  protected onStopPolling(): void {
    this._log.stop();
  }

  private _job: IJob | null = null;
  private _gone = false;
  private _header: JobHeader;
  private _metrics: MetricsArea;
  private _log: LogArea;
}

/** The view in a main-area tab, with Terminate / Restart in its toolbar. */
export function createJobWidget(ui: IJobsUI, jobId: string): MainAreaWidget<JobView> {
  const trans = ui.trans;
  const content = new JobView(ui, jobId);
  const widget = new MainAreaWidget({ content, translator: ui.translator });
  widget.id = `jlab-platform-job-${jobId}`;
  widget.addClass('jp-JobViewPanel');
  widget.title.icon = jobIcon;
  widget.title.label = trans.__('Job %1', jobId);
  widget.title.closable = true;

  const terminate = actionToolbarButton({
    icon: stopIcon,
    label: trans.__('Terminate'),
    tooltip: trans.__('Stop the job and every process it started'),
    className: 'jp-JobView-terminate',
    onClick: () => {
      const job = content.job;
      if (job) {
        void terminateJob(ui, job).then(ended => ended && void content.refresh());
      }
    }
  });
  const restart = actionToolbarButton({
    icon: refreshIcon,
    label: trans.__('Restart'),
    tooltip: trans.__('Run the job again from its own snapshot, as a new job'),
    className: 'jp-JobView-restart',
    onClick: () => {
      const job = content.job;
      if (job) {
        void restartJob(ui, job).then(next => next && ui.openJob(next.id));
      }
    }
  });
  const tensorboard = actionToolbarButton({
    icon: tensorboardIcon,
    label: trans.__('TensorBoard'),
    tooltip: trans.__("Open TensorBoard on this job's metrics"),
    className: 'jp-JobView-tensorboard',
    onClick: () => {
      const folder = content.job?.tensorboard_run;
      if (folder) {
        ui.openTensorBoard(folder);
      }
    }
  });
  const evaluate = actionToolbarButton({
    icon: evaluationIcon,
    label: trans.__('Evaluate'),
    tooltip: trans.__('Evaluate the run this job trained and open its report'),
    className: 'jp-JobView-evaluate',
    onClick: () => {
      const job = content.job;
      if (job) {
        ui.evaluate(job);
      }
    }
  });
  terminate.hide();
  restart.hide();
  tensorboard.hide();
  evaluate.hide();
  widget.toolbar.addItem('terminate', terminate);
  widget.toolbar.addItem('restart', restart);
  widget.toolbar.addItem('tensorboard', tensorboard);
  widget.toolbar.addItem('evaluate', evaluate);
  const publish = ui.publishButton(jobId);
  if (publish) {
    widget.toolbar.addItem('publish', publish);
  }

  content.onJob = job => {
    widget.title.label = job.name;
    widget.title.caption = trans.__('Job %1 (%2): %3', job.name, job.id, statusLabel(trans, job.status));
    terminate.setHidden(isFinished(job.status));
    restart.setHidden(!canRestart(job));
    // The server names no run for console jobs (no job supervisor writes one) or runs outside the root.
    tensorboard.setHidden(job.status === 'pending' || job.tensorboard_run === null);
    evaluate.setHidden(job.status !== 'success');
  };
  return widget;
}
