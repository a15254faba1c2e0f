/**
 * The words the Jobs UI shows for statuses and environments (only a type import of
 * JupyterLab: unit-tested in node with a stand-in translation bundle).
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import { IMetricRun, JobEnv } from './model';
import { JobStatus, statusLabel } from './states';

type Trans = Pick<TranslationBundle, '__'>;

export function envDescription(trans: Trans, env: JobEnv): string {
  switch (env) {
    case 'console':
      return trans.__('console — runs in a new console you can watch and interact with');
    case 'cpu':
      return trans.__('cpu — a snapshot of the workspace, run in the background');
    case 'gpu':
      return trans.__('gpu — like cpu, with a GPU of its own (waits for a free one)');
  }
}

/** The notification text for a job that ended. */
export function finishedMessage(trans: Trans, job: { name: string; status: JobStatus; reason: string | null }): string {
  switch (job.status) {
    case 'success':
      return trans.__('Job %1 succeeded', job.name);
    case 'terminated':
      return job.reason && !isStopRequest(job.reason)
        ? trans.__('Job %1 was stopped by you: %2', job.name, job.reason)
        : trans.__('Job %1 was stopped by you', job.name);
    case 'failed':
      return job.reason ? trans.__('Job %1 failed: %2', job.name, job.reason) : trans.__('Job %1 failed', job.name);
    default:
      return trans.__('Job %1 is %2', job.name, statusLabel(trans, job.status));
  }
}

/** A run in the chart legend: its folder's name when the job printed one, else "run 2". */
export function runLabel(trans: Trans, index: number, runs: IMetricRun[] | undefined): string {
  return runs?.find(run => run.index === index)?.label ?? trans.__('run %1', index + 1);
}

/** The reasons the server records for a Terminate (they say no more than "stopped by you"). */
export function isStopRequest(reason: string): boolean {
  return reason === 'terminated on request' || reason === 'terminated before it started';
}

const SIGNALS: Record<number, string> = {
  1: 'SIGHUP',
  2: 'SIGINT',
  6: 'SIGABRT',
  9: 'SIGKILL',
  11: 'SIGSEGV',
  15: 'SIGTERM'
};

/** How a finished job exited, as a labelled fact: stopped by you, killed by a signal, or its code. */
export function exitFact(
  trans: Trans,
  job: { status: JobStatus; exit_code: number | null | undefined }
): [string, string] | null {
  if (job.status === 'terminated') {
    return [trans.__('Exit'), trans.__('stopped by you')];
  }
  if (job.exit_code === null || job.exit_code === undefined) {
    return null;
  }
  if (job.exit_code < 0) {
    const signal = SIGNALS[-job.exit_code] ?? String(-job.exit_code);
    return [trans.__('Exit'), trans.__('killed by signal %1', signal)];
  }
  return [trans.__('Exit code'), String(job.exit_code)];
}
