/** The words of an evaluation's status (jlab_platform/evaluation/models.py: EvaluationStatus). */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { EvaluationStatus } from './client';

export function isFinished(status: EvaluationStatus): boolean {
  return status === 'complete' || status === 'failed';
}

export function statusLabel(trans: TranslationBundle, status: EvaluationStatus): string {
  switch (status) {
    case 'submitted':
      return trans.__('waiting for its job');
    case 'running':
      return trans.__('running');
    case 'complete':
      return trans.__('complete');
    case 'failed':
      return trans.__('failed');
  }
}
