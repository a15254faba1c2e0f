/**
 * A job's statuses, their words and their icon classes: the one place the Jobs UI maps the
 * server's vocabulary (jlab_platform/jobs). Only a type import of JupyterLab: unit-tested in node.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { components } from '../api/schema';

/** The server's words (generated from its models: a new status fails the switches below). */
export type JobStatus = components['schemas']['Job']['status'];
/** How a job ended: by itself (success, failed) or stopped by its owner (terminated). */
export type EndedJobStatus = components['schemas']['FinishJob']['status'];

/** Every status once, in the order of a job's life (a record: tsc fails when one is missing). */
const ENDS: Record<JobStatus, boolean> = {
  pending: false,
  running: false,
  success: true,
  terminated: true,
  failed: true
};

export const JOB_STATUSES = Object.keys(ENDS) as readonly JobStatus[];

export function isJobStatus(value: unknown): value is JobStatus {
  return typeof value === 'string' && (JOB_STATUSES as readonly string[]).includes(value);
}

export function isFinished(status: JobStatus): status is EndedJobStatus {
  return ENDS[status];
}

export function statusLabel(trans: Pick<TranslationBundle, '__'>, status: JobStatus): string {
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

/** The CSS modifier class of a status icon (its colour and mark). */
export function statusClass(status: JobStatus): string {
  return `jp-JobStatus-${status}`;
}
