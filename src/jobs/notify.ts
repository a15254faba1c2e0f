/**
 * Notifications when jobs end: live from the server's event bus, and at start for the
 * jobs that ended while no JupyterLab page was open.
 */
import { Notification } from '@jupyterlab/apputils';
import type { Event } from '@jupyterlab/services';

import { jobsApi } from './client';
import { INFO_TOAST_MS, replaceToast } from '../platform/notify';
import { IJobsUI } from './actions';
import { finishedMessage } from './labels';
import { IJob, newestFinishedAt, parseJobStatusEvent } from './model';
import { isFinished, JobStatus } from './states';

export const SEEN_KEY = 'jlab-platform:jobs-seen';
/** Beyond this many jobs ended while away, one summary replaces the rest. */
const MAX_CATCH_UP = 5;

export class JobNotifier {
  constructor(
    private readonly ui: IJobsUI,
    private readonly events: Event.IManager,
    private readonly showJobs: () => void
  ) {}

  start(): void {
    this.events.stream.connect(this._onEvent, this);
    void this._catchUp();
  }

  dispose(): void {
    this.events.stream.disconnect(this._onEvent, this);
  }

  /** Notify once per job id, whichever way its end was learnt first. */
  notify(job: { id: string; name: string; status: JobStatus; reason: string | null }): void {
    if (!isFinished(job.status) || this._notified.has(job.id)) {
      return;
    }
    this._notified.add(job.id);
    const message = finishedMessage(this.ui.trans, job);
    const actions = [{ label: this.ui.trans.__('Open log'), callback: () => this.ui.openJob(job.id) }];
    if (job.status === 'success') {
      Notification.success(message, { autoClose: INFO_TOAST_MS, actions });
    } else if (job.status === 'terminated') {
      // Stopped by the user: news, not an error.
      Notification.info(message, { autoClose: INFO_TOAST_MS, actions });
    } else {
      replaceToast('job-failed', () => Notification.error(message, { autoClose: false, actions }));
    }
  }

  private _onEvent(_: Event.IManager, emission: Event.Emission): void {
    const event = parseJobStatusEvent(emission as Record<string, unknown>);
    if (!event || !isFinished(event.status)) {
      return;
    }
    this.notify({ id: event.job_id, name: event.name, status: event.status, reason: event.reason });
    this.ui.changed();
    // Remember the server's own finish time, so a later page does not notify this job again.
    void jobsApi
      .get(event.job_id)
      .then(job => this._remember([job]))
      .catch(() => undefined);
  }

  private async _catchUp(): Promise<void> {
    const seen = readSeen();
    if (!seen) {
      // First start ever: jobs from before this page are old news.
      writeSeen(new Date().toISOString());
      return;
    }
    let jobs: IJob[];
    try {
      jobs = (await jobsApi.list({ finished_after: seen, limit: 100 })).jobs;
    } catch {
      // The version handshake already says when the server does not answer.
      return;
    }
    const ended = jobs.filter(job => isFinished(job.status) && job.finished_at);
    for (const job of ended.slice(0, MAX_CATCH_UP)) {
      this.notify(job);
    }
    if (ended.length > MAX_CATCH_UP) {
      const trans = this.ui.trans;
      const more = ended.length - MAX_CATCH_UP;
      Notification.info(trans.__('%1 more jobs ended while JupyterLab was closed', more), {
        autoClose: INFO_TOAST_MS,
        actions: [{ label: trans.__('Show jobs'), callback: () => this.showJobs() }]
      });
    }
    this._remember(ended);
  }

  private _remember(jobs: IJob[]): void {
    const newest = newestFinishedAt(jobs, readSeen());
    if (newest) {
      writeSeen(newest);
    }
  }

  private _notified = new Set<string>();
}

function readSeen(): string | null {
  try {
    return window.localStorage.getItem(SEEN_KEY);
  } catch {
    return null;
  }
}

function writeSeen(iso: string): void {
  try {
    window.localStorage.setItem(SEEN_KEY, iso);
  } catch {
    // Private mode: notifications at start are then skipped, nothing else breaks.
  }
}
