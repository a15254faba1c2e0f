/**
 * The words the Jobs UI shows for statuses and environments (only a type import of
 * JupyterLab: unit-tested in node with a stand-in translation bundle).
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import { JobEnv, JobStatus } from './model';

type Trans = Pick<TranslationBundle, '__'>;

export function statusLabel(trans: Trans, status: JobStatus): string {
  switch (status) {
    case 'pending':
      return trans.__('pending');
    case 'running':
      return trans.__('running');
    case 'success':
      return trans.__('success');
    case 'terminated':
      return trans.__('terminated');
    case 'failed':
      return trans.__('failed');
  }
}

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
export function finishedMessage(
  trans: Trans,
  job: { name: string; status: JobStatus; reason: string | null }
): string {
  switch (job.status) {
    case 'success':
      return trans.__('Job %1 succeeded', job.name);
    case 'terminated':
      return job.reason
        ? trans.__('Job %1 was terminated: %2', job.name, job.reason)
        : trans.__('Job %1 was terminated', job.name);
    case 'failed':
      return job.reason
        ? trans.__('Job %1 failed: %2', job.name, job.reason)
        : trans.__('Job %1 failed', job.name);
    default:
      return trans.__('Job %1 is %2', job.name, statusLabel(trans, job.status));
  }
}
