import { test } from 'node:test';
import assert from 'node:assert/strict';

import { errorMessage, moduleChoices } from '../crowd/model';

test('moduleChoices offers the library modules that train and predict, then the seed folders', () => {
  const modules = [
    { name: 'image-classifier', actions: ['train', 'predict'], valid: true },
    { name: 'predict-only', actions: ['predict'], valid: true },
    { name: 'broken', actions: ['train', 'predict'], valid: false }
  ];
  const seed = [{ path: 'work/shapes', classes: ['a', 'b'] }];
  assert.deepEqual(moduleChoices(modules, seed), { library: ['image-classifier'], seed });
});

test('errorMessage says what went wrong without the error class name', () => {
  class ApiError extends Error {
    name = 'ApiError';
  }
  assert.equal(String(new ApiError('Path does not exist')), 'ApiError: Path does not exist');
  assert.equal(errorMessage(new ApiError('Path does not exist')), 'Path does not exist');
  assert.equal(errorMessage('plain'), 'plain');
});
