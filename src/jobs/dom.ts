/** Small DOM pieces shared by the Jobs list and the job view. */
import { TranslationBundle } from '@jupyterlab/translation';
import { LabIcon, ToolbarButton, ToolbarButtonComponent } from '@jupyterlab/ui-components';

import { statusLabel } from './labels';
import { JobEnv, JobStatus, statusClass } from './model';

export function el<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  className?: string,
  text?: string
): HTMLElementTagNameMap[K] {
  const node = document.createElement(tag);
  if (className) {
    node.className = className;
  }
  if (text !== undefined) {
    node.textContent = text;
  }
  return node;
}

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

/** A small icon button with a tooltip; `action` names it for tests and styles. */
export function iconButton(
  icon: LabIcon,
  title: string,
  action: string,
  onClick: () => void
): HTMLButtonElement {
  const button = el('button', 'jp-Button jp-mod-minimal jp-JobAction');
  button.type = 'button';
  button.title = title;
  button.setAttribute('aria-label', title);
  button.dataset.action = action;
  button.append(icon.element({ tag: 'span', className: 'jp-JobAction-icon' }));
  button.addEventListener('click', event => {
    event.stopPropagation();
    onClick();
  });
  return button;
}

/** A time from the server as the user's locale writes it, or "—". */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) {
    return '—';
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/**
 * A toolbar button for a one-off action. JupyterLab's ToolbarButton toggles its
 * "pressed" state on every click, which suits switches, not actions: undo that.
 */
export function actionToolbarButton(
  props: ToolbarButtonComponent.IProps & { onClick: () => void }
): ToolbarButton {
  const button: ToolbarButton = new ToolbarButton({
    ...props,
    onClick: () => {
      button.pressed = false;
      props.onClick();
    }
  });
  return button;
}
