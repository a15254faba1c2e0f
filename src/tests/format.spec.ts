import { test } from 'node:test';
import assert from 'node:assert/strict';

import { errorText, frameworkLabel, gpuLabel } from '../format';

test('frameworkLabel shows the version or null when missing', () => {
  assert.equal(frameworkLabel({ available: true, version: '2.13.0' }), '2.13.0');
  assert.equal(frameworkLabel({ available: true, version: null }), '?');
  assert.equal(frameworkLabel({ available: false, version: null }), null);
  assert.equal(frameworkLabel(undefined), null);
});

test('gpuLabel lists GPU names when known', () => {
  assert.equal(gpuLabel({ gpus: 0, gpu_names: [] }), '0');
  assert.equal(gpuLabel({ gpus: 2, gpu_names: ['A', 'B'] }), '2 (A, B)');
});

test('errorText joins error and detail, and falls back on anything else', () => {
  assert.equal(errorText({ error: 'Bad path', detail: 'Use a relative path' }, 'x'), 'Bad path: Use a relative path');
  assert.equal(errorText({ error: 'Bad path', detail: '' }, 'x'), 'Bad path');
  assert.equal(errorText('<html>', '500 Internal'), '500 Internal');
  assert.equal(errorText(null, 'fallback'), 'fallback');
});
