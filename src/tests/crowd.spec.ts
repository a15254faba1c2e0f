import { test } from 'node:test';
import assert from 'node:assert/strict';

import { moduleChoices } from '../crowd/model';

test('moduleChoices offers the library modules that train and predict, then the seed folders', () => {
  const modules = [
    { name: 'image-classifier', actions: ['train', 'predict'], valid: true },
    { name: 'predict-only', actions: ['predict'], valid: true },
    { name: 'broken', actions: ['train', 'predict'], valid: false }
  ];
  const seed = [{ path: 'work/shapes', classes: ['a', 'b'] }];
  assert.deepEqual(moduleChoices(modules, seed), { library: ['image-classifier'], seed });
});
