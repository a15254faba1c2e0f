import { test } from 'node:test';
import assert from 'node:assert/strict';

import type { TranslationBundle } from '@jupyterlab/translation';

import { moduleChoices } from '../crowd/model';
import { markClass, markKind, markLabel, stateLabel } from '../crowd/states';

test('moduleChoices offers the library modules that train and predict, then the seed folders', () => {
  const modules = [
    { name: 'image-classifier', actions: ['train', 'predict'], valid: true },
    { name: 'predict-only', actions: ['predict'], valid: true },
    { name: 'broken', actions: ['train', 'predict'], valid: false }
  ];
  const seed = [{ path: 'work/shapes', classes: ['a', 'b'] }];
  assert.deepEqual(moduleChoices(modules, seed), { library: ['image-classifier'], seed });
});

const trans = {
  __: (msg: string, ...args: unknown[]): string => msg.replace(/%(\d)/g, (_, n: string) => String(args[Number(n) - 1]))
} as unknown as TranslationBundle;

test('stateLabel says where a task stands in every server state', () => {
  const task = { round: 2, max_rounds: 3, round_complete: false, finished_incomplete: false };
  assert.equal(stateLabel(trans, { ...task, state: 'scoring' }), 'Choosing samples (round 2)');
  assert.equal(stateLabel(trans, { ...task, state: 'labeling' }), 'Labeling round 2 of 3');
  assert.equal(stateLabel(trans, { ...task, state: 'labeling', round_complete: true }), 'Round 2 complete');
  assert.equal(stateLabel(trans, { ...task, state: 'failed' }), 'Round 2 failed');
  assert.equal(stateLabel(trans, { ...task, state: 'finished' }), 'Finished');
  assert.equal(
    stateLabel(trans, { ...task, state: 'finished', finished_incomplete: true }),
    'Finished (samples left unlabeled)'
  );
});

test('a failed round marks its task red, otherwise the server mark decides', () => {
  assert.equal(markKind({ state: 'failed', mark: 'in_progress' }), 'failed');
  assert.equal(markKind({ state: 'labeling', mark: 'in_progress' }), 'in_progress');
  assert.equal(markKind({ state: 'finished', mark: 'finished' }), 'finished');
  assert.equal(markClass('finished'), 'jp-CrowdMark jp-CrowdMark-finished');
  assert.equal(markLabel(trans, 'failed'), 'Failed');
});
