/**
 * The model library's status words: the seed's six states of a training task and the states of a
 * batch prediction (jlab_platform/model_library/models.py). Only type imports: unit-tested in node.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { PredictionState, TrainingState } from './client';

type Translate = Pick<TranslationBundle, '__'>;

/** Every training state once, true while it may still change by itself (a record: tsc finds a new one). */
const TRAINING_ACTIVE: Record<TrainingState, boolean> = {
  waiting: true,
  training: true,
  terminated: false,
  completed: false,
  failed: false,
  published: false
};

export function isTrainingActive(state: TrainingState): boolean {
  return TRAINING_ACTIVE[state];
}

/** The seed's words: 等待中, 正在训练, 训练终止, 训练完成, 训练失败, 已发布. */
export function trainingLabel(trans: Translate, state: TrainingState): string {
  switch (state) {
    case 'waiting':
      return trans.__('waiting');
    case 'training':
      return trans.__('training');
    case 'terminated':
      return trans.__('training terminated');
    case 'completed':
      return trans.__('training completed');
    case 'failed':
      return trans.__('training failed');
    case 'published':
      return trans.__('published');
  }
}

/** What may be done to a training in a state (the seed: a waiting task cannot be terminated). */
export function trainingActions(state: TrainingState): {
  terminate: boolean;
  startAgain: boolean;
  publish: boolean;
  remove: boolean;
} {
  return {
    terminate: state === 'training',
    startAgain: state === 'terminated' || state === 'failed',
    publish: state === 'completed',
    remove: !TRAINING_ACTIVE[state]
  };
}

const PREDICTION_ACTIVE: Record<PredictionState, boolean> = {
  waiting: true,
  running: true,
  completed: false,
  failed: false,
  terminated: false
};

export function isPredictionActive(state: PredictionState): boolean {
  return PREDICTION_ACTIVE[state];
}

export function predictionLabel(trans: Translate, state: PredictionState): string {
  switch (state) {
    case 'waiting':
      return trans.__('waiting');
    case 'running':
      return trans.__('predicting');
    case 'completed':
      return trans.__('completed');
    case 'failed':
      return trans.__('failed');
    case 'terminated':
      return trans.__('terminated');
  }
}

/** The CSS class of a state badge (its colour); the same word shared by both kinds. */
export function stateClass(state: TrainingState | PredictionState): string {
  return `jp-ModelState jp-ModelState-${state}`;
}
