/**
 * A capture's states, their words and classes: the one place the Captures UI maps the server's
 * vocabulary (jlab_platform/capture). Only type imports: unit-tested in node.
 */
import type { TranslationBundle } from '@jupyterlab/translation';

import type { ICapture } from './client';

export type CaptureState = ICapture['state'];

export function stateLabel(trans: Pick<TranslationBundle, '__'>, state: CaptureState): string {
  switch (state) {
    case 'running':
      return trans.__('running');
    case 'finished':
      return trans.__('finished');
    case 'failed':
      return trans.__('failed');
    case 'incomplete':
      return trans.__('did not finish');
  }
}

/** The classes of a state's badge (its colour). */
export function stateClass(state: CaptureState): string {
  return `jp-CaptureState jp-mod-${state}`;
}
