/**
 * Jobs as the REST API describes them, and pure helpers over them.
 * No JupyterLab imports at runtime: unit-tested in node.
 */
import type { components, operations } from '../api/schema';
import { isFinished, isJobStatus, JobStatus } from './states';

type Schemas = components['schemas'];

export type IJob = Schemas['Job'];
export type JobEnv = IJob['env'];

export const JOB_ENVS: readonly JobEnv[] = ['console', 'cpu', 'gpu'];

/** The schema id of the server event emitted when a job ends. */
export const JOB_STATUS_SCHEMA = 'https://events.jlab-platform.dev/job-status';

/** The disk job snapshots take (kept for restarts), and the limit (null: none). */
export type ISnapshotSpace = Schemas['SnapshotUsage'];
export type IJobList = Schemas['JobList'];
export type IJobQuery = NonNullable<operations['getJobs']['parameters']['query']>;
export type ISubmitJob = Schemas['SubmitJob'];
export type IJobEnvironment = Schemas['JobEnvironment'];
export type IJobEnvironments = Schemas['JobEnvironments'];
export type IJobLogChunk = Schemas['LogChunk'];
export type IJobLogQuery = NonNullable<operations['getJobsJobIdLog']['parameters']['query']>;
/** A point of a series; `run`: which training of the job it belongs to (0 for the first). */
export type IMetricPoint = Schemas['MetricPoint'];
/** A training within a job: its index, and the run folder's name when the job printed it. */
export type IMetricRun = Schemas['MetricRun'];
export type IJobMetrics = Schemas['JobMetrics'];
export type IJobProgress = NonNullable<IJobMetrics['progress']>;
export type IFinishJob = Schemas['FinishJob'];
/** Where jobs run: the local executor or a Ray cluster, with its nodes and what is in use. */
export type ICluster = Schemas['Cluster'];

/** What the job-status event carries (data fields sit beside `schema_id`). */
export interface IJobStatusEvent {
  job_id: string;
  name: string;
  status: JobStatus;
  reason: string | null;
}

/**
 * Whether Restart is offered: the job ended and ran from a snapshot (console jobs run
 * in their console and are run again from there). An expired snapshot is still offered,
 * so that the server's 409 says why it cannot restart.
 */
export function canRestart(job: Pick<IJob, 'status' | 'env'>): boolean {
  return isFinished(job.status) && job.env !== 'console';
}

/** Whether a file can be run as a job (a Python script or a notebook). */
export function isJobScript(path: string): boolean {
  return /\.(py|ipynb)$/i.test(path);
}

/** A duration as "1h 02m 03s", "2m 03s" or "3s" (negative and missing count as 0). */
export function formatDuration(seconds: number | null | undefined): string {
  const total = Math.max(0, Math.floor(Number.isFinite(seconds) ? (seconds as number) : 0));
  const h = Math.floor(total / 3600);
  const m = Math.floor((total % 3600) / 60);
  const s = total % 60;
  const pad = (n: number): string => String(n).padStart(2, '0');
  if (h > 0) {
    return `${h}h ${pad(m)}m ${pad(s)}s`;
  }
  if (m > 0) {
    return `${m}m ${pad(s)}s`;
  }
  return `${s}s`;
}

/**
 * The runtime to show now. A running job's `runtime_seconds` was true when it was
 * fetched; it grows by the time since then (the browser's clock only measures that
 * interval, so a skew between browser and server does not matter).
 */
export function liveRuntime(
  job: Pick<IJob, 'status' | 'runtime_seconds'>,
  fetchedAtMs: number,
  nowMs: number
): number | null {
  if (job.runtime_seconds === null || job.runtime_seconds === undefined) {
    return null;
  }
  if (job.status !== 'running') {
    return job.runtime_seconds;
  }
  return job.runtime_seconds + Math.max(0, nowMs - fetchedAtMs) / 1000;
}

/** Progress as "step/total", with the fraction in [0, 1] (or null when unknown). */
export function progressFacts(
  progress: IJobProgress | null | undefined
): { text: string; fraction: number | null } | null {
  if (!progress || !Number.isFinite(progress.step)) {
    return null;
  }
  const total = Number.isFinite(progress.total) && progress.total > 0 ? progress.total : null;
  let fraction = Number.isFinite(progress.fraction) ? progress.fraction : total !== null ? progress.step / total : null;
  if (fraction !== null) {
    fraction = Math.min(1, Math.max(0, fraction));
  }
  const step = formatNumber(progress.step);
  const text = total !== null ? `${step}/${formatNumber(total)}` : step;
  return { text, fraction };
}

/** A number short enough for an axis label or a progress text. */
export function formatNumber(value: number): string {
  if (!Number.isFinite(value)) {
    return String(value);
  }
  if (Number.isInteger(value) && Math.abs(value) < 1e9) {
    return String(value);
  }
  const abs = Math.abs(value);
  if (abs !== 0 && (abs < 1e-3 || abs >= 1e9)) {
    return value.toExponential(2);
  }
  return String(Number(value.toPrecision(4)));
}

/** The line that runs a script in an IPython console, with the user's arguments as typed. */
export function runMagic(scriptName: string, args: string): string {
  const name = /^[\w.\-/]+$/.test(scriptName) ? scriptName : `'${scriptName.replace(/'/g, "'\"'\"'")}'`;
  const rest = args.trim();
  return rest ? `%run ${name} ${rest}` : `%run ${name}`;
}

/** The later of `current` and every job's `finished_at` (ISO strings), or `current`. */
export function newestFinishedAt(jobs: Pick<IJob, 'finished_at'>[], current: string | null): string | null {
  let newest = current;
  let newestMs = current ? Date.parse(current) : -Infinity;
  for (const job of jobs) {
    if (!job.finished_at) {
      continue;
    }
    const ms = Date.parse(job.finished_at);
    if (Number.isFinite(ms) && ms > newestMs) {
      newest = job.finished_at;
      newestMs = ms;
    }
  }
  return newest;
}

/** The job-status event in a server event emission, or null for any other event. */
export function parseJobStatusEvent(emission: Record<string, unknown>): IJobStatusEvent | null {
  if (emission.schema_id !== JOB_STATUS_SCHEMA) {
    return null;
  }
  const { job_id, name, status, reason } = emission;
  if (typeof job_id !== 'string' || !isJobStatus(status)) {
    return null;
  }
  return {
    job_id,
    name: typeof name === 'string' && name ? name : job_id,
    status,
    reason: typeof reason === 'string' && reason ? reason : null
  };
}

/** How a run in a console ended, from the error output it left (if any). */
export function consoleOutcome(
  error: { ename?: unknown; evalue?: unknown } | null,
  executed: boolean,
  notExecutedReason: string
): IFinishJob {
  if (error) {
    const ename = typeof error.ename === 'string' ? error.ename : 'Error';
    const evalue = typeof error.evalue === 'string' ? error.evalue : '';
    return { status: 'failed', reason: evalue ? `${ename}: ${evalue}` : ename };
  }
  if (!executed) {
    return { status: 'failed', reason: notExecutedReason };
  }
  return { status: 'success' };
}
