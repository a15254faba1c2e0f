/** DOM pieces of a job shared by the Jobs list and the job view. */
import { TranslationBundle } from '@jupyterlab/translation';

import { el } from '../platform/dom';
import { JobEnv } from './model';
import { JobStatus, statusClass, statusLabel } from './states';

/** A coloured status mark (a spinner while running) that says its status to screen readers. */
export function statusIcon(trans: TranslationBundle, status: JobStatus): HTMLElement {
  const icon = el('span');
  setStatus(icon, trans, status);
  return icon;
}

export function setStatus(icon: HTMLElement, trans: TranslationBundle, status: JobStatus): void {
  icon.className = `jp-JobStatus ${statusClass(status)}`;
  icon.dataset.status = status;
  const label = statusLabel(trans, status);
  icon.title = label;
  icon.setAttribute('role', 'img');
  icon.setAttribute('aria-label', label);
}

export function envBadge(env: JobEnv): HTMLElement {
  const badge = el('span', `jp-JobEnv jp-JobEnv-${env}`, env);
  badge.dataset.env = env;
  return badge;
}
