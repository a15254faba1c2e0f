/**
 * The words and mark colours of a labeling task's states, from the server's vocabulary
 * (jlab_platform/crowd/states.py: scoring, labeling, failed, finished). Pure: unit-tested in node.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { CrowdStrategy, ICrowdTask } from './model';

type TaskState = Pick<ICrowdTask, 'state' | 'round' | 'max_rounds' | 'round_complete' | 'finished_incomplete'>;

/** Where a task stands, as one line: "Labeling round 1 of 3", "Round 2 failed". */
export function stateLabel(trans: TranslationBundle, task: TaskState): string {
  switch (task.state) {
    case 'scoring':
      return trans.__('Choosing samples (round %1)', task.round);
    case 'labeling':
      return task.round_complete
        ? trans.__('Round %1 complete', task.round)
        : trans.__('Labeling round %1 of %2', task.round, task.max_rounds);
    case 'failed':
      return trans.__('Round %1 failed', task.round);
    case 'finished':
      return task.finished_incomplete ? trans.__('Finished (samples left unlabeled)') : trans.__('Finished');
  }
}

/** The seed's marks: blue while in progress, green when finished; red when a round failed. */
export type MarkKind = 'in_progress' | 'finished' | 'failed';

export function markKind(task: Pick<ICrowdTask, 'state' | 'mark'>): MarkKind {
  return task.state === 'failed' ? 'failed' : task.mark;
}

/** The mark's class (its colour) for a kind. */
export function markClass(kind: MarkKind): string {
  return `jp-CrowdMark jp-CrowdMark-${kind}`;
}

/** What a mark says to screen readers and in its tooltip. */
export function markLabel(trans: TranslationBundle, kind: MarkKind): string {
  switch (kind) {
    case 'in_progress':
      return trans.__('In progress');
    case 'finished':
      return trans.__('Finished');
    case 'failed':
      return trans.__('Failed');
  }
}

/** How a task picks each round's samples, in words. */
export function strategyLabel(trans: TranslationBundle, strategy: string): string {
  const names: Record<string, string> & Record<CrowdStrategy, string> = {
    least_confidence: trans.__('Least confidence'),
    margin: trans.__('Smallest margin'),
    entropy: trans.__('Highest entropy'),
    random: trans.__('Random (control)')
  };
  return names[strategy] ?? strategy;
}

/** A task's module format: a platform module, or a folder in the seed's format. */
export function moduleFormatLabel(trans: TranslationBundle, format: string): string {
  return format === 'seed' ? trans.__('seed format') : trans.__('platform module');
}
