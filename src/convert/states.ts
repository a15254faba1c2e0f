/**
 * A conversion or extraction task's statuses: the one place the Convert UI maps the server's
 * vocabulary (jlab_platform/files/tasks.py). The UI words are per outcome (convert/notify.ts).
 */

export type TaskStatus = 'queued' | 'running' | 'succeeded' | 'failed' | 'cancelled';

const ENDED: readonly TaskStatus[] = ['succeeded', 'failed', 'cancelled'];

export function isFinished(status: TaskStatus): boolean {
  return ENDED.includes(status);
}
