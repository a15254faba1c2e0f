/** DOM pieces of the crowdsourcing section and task view, made once and updated in place. */
import type { TranslationBundle } from '@jupyterlab/translation';

import { el } from '../platform/dom';
import { setAttr } from '../platform/keyed';
import { ICrowdTask } from './model';
import { markClass, markKind, markLabel, MarkKind } from './states';

/** A task's coloured mark that says its state to screen readers. */
export function mark(): HTMLElement {
  const node = el('span');
  node.setAttribute('role', 'img');
  return node;
}

export function setMark(node: HTMLElement, trans: TranslationBundle, task: Pick<ICrowdTask, 'state' | 'mark'>): void {
  setMarkKind(node, trans, markKind(task));
}

export function setMarkKind(node: HTMLElement, trans: TranslationBundle, kind: MarkKind): void {
  const label = markLabel(trans, kind);
  setAttr(node, 'class', markClass(kind));
  setAttr(node, 'title', label);
  setAttr(node, 'aria-label', label);
}

/** A thin progress bar; `setBar` fills it. */
export function bar(): HTMLElement {
  const outer = el('span', 'jp-CrowdBar');
  outer.append(el('span', 'jp-CrowdBar-fill'));
  return outer;
}

export function setBar(node: HTMLElement, share: number): void {
  const fill = node.firstElementChild as HTMLElement;
  const width = `${(100 * share).toFixed(1)}%`;
  if (fill.style.width !== width) {
    fill.style.width = width;
  }
}

export function button(label: string, action: string, onClick: () => void): HTMLButtonElement {
  const node = el('button', 'jp-Button jp-mod-styled jp-mod-reject jp-CrowdButton', label);
  node.type = 'button';
  node.dataset.action = action;
  node.addEventListener('click', onClick);
  return node;
}
