/**
 * A deployment's statuses, their words and classes: the one place the Deploy UI maps the server's
 * vocabulary (jlab_platform/deploy/models.py DeploymentStatus). Only a type import of JupyterLab:
 * unit-tested in node.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { components } from '../api/schema';

export type DeploymentStatus = components['schemas']['Deployment']['status'];

/** Whether the status changes by itself (the section and the tab poll faster while it does). */
export function isSettling(status: DeploymentStatus): boolean {
  switch (status) {
    case 'starting':
      return true;
    case 'ready':
    case 'failed':
    case 'stopped':
      return false;
  }
}

/** Whether it holds a process that Stop ends (Start otherwise). */
export function isRunning(status: DeploymentStatus): boolean {
  switch (status) {
    case 'starting':
    case 'ready':
      return true;
    case 'failed':
    case 'stopped':
      return false;
  }
}

export function statusLabel(trans: Pick<TranslationBundle, '__'>, status: DeploymentStatus): string {
  switch (status) {
    case 'starting':
      return trans.__('starting');
    case 'ready':
      return trans.__('ready');
    case 'failed':
      return trans.__('failed');
    case 'stopped':
      return trans.__('stopped');
  }
}

/** The CSS modifier class of a status badge (its colour). */
export function statusClass(status: DeploymentStatus): string {
  return `jp-DeployStatus-${status}`;
}
