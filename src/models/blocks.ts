/**
 * What the model page's sections are built of alike: the section itself (title, a line while it is
 * empty), and the list row of something that runs and has a state (a training, a batch prediction):
 * its state badge, facts and actions, the actions drawn again only when what they depend on changed.
 */
import { el } from '../platform/dom';
import { setAttr, setText } from '../platform/keyed';
import type { PredictionState, TrainingState } from './client';
import { stateClass } from './states';

/** A section of the model page: its title, the line shown while it is empty, then `content`. */
export function pageSection(
  className: string,
  title: string,
  emptyText: string,
  ...content: HTMLElement[]
): { node: HTMLElement; empty: HTMLParagraphElement } {
  const node = el('section', `jp-ModelPage-section ${className}`);
  const empty = el('p', 'jp-ModelPage-empty', emptyText);
  node.append(el('h2', 'jp-ModelPage-sectionTitle', title), empty, ...content);
  return { node, empty };
}

export interface IStateRow {
  readonly node: HTMLLIElement;
  readonly state: HTMLSpanElement;
  readonly facts: HTMLSpanElement;
  readonly actions: HTMLSpanElement;
  /** What the actions were drawn for. */
  rendered: string;
}

/** The row of the item `id`; `block` is its class and its parts' prefix (`jp-ModelTraining-facts`). */
export function stateRow(block: string, id: string): IStateRow {
  const node = el('li', block);
  node.dataset.id = id;
  return {
    node,
    state: el('span'),
    facts: el('span', `${block}-facts`),
    actions: el('span', `${block}-actions`),
    rendered: ''
  };
}

/** Show `state` as `label`; true when the actions must be drawn again: they were drawn for another `key`. */
export function updateStateRow(
  row: IStateRow,
  state: TrainingState | PredictionState,
  label: string,
  key: string
): boolean {
  setAttr(row.node, 'data-state', state);
  setAttr(row.state, 'class', stateClass(state));
  setText(row.state, label);
  if (row.rendered === key) {
    return false;
  }
  row.rendered = key;
  return true;
}
