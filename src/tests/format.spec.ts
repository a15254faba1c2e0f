import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  baseName,
  errorMessage,
  errorText,
  formatBytes,
  formatTime,
  frameworkLabel,
  gpuLabel,
  queryString
} from '../platform/format';

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

test('queryString skips missing values and encodes the rest', () => {
  assert.equal(queryString({}), '');
  assert.equal(queryString({ status: undefined, limit: 100 }), '?limit=100');
  assert.equal(
    queryString({ finished_after: '2024-01-01T00:00:00+00:00', offset: -262144 }),
    '?finished_after=2024-01-01T00%3A00%3A00%2B00%3A00&offset=-262144'
  );
});

test('formatBytes uses binary units with one decimal below 10', () => {
  assert.equal(formatBytes(512), '512 B');
  assert.equal(formatBytes(262144), '256 KiB');
  assert.equal(formatBytes(1.5 * 1024 * 1024), '1.5 MiB');
  assert.equal(formatBytes(-1), '0 B');
  assert.equal(formatBytes(2048), '2 KiB');
  assert.equal(formatBytes(undefined), '—');
  assert.equal(formatBytes(null), '—');
});

test('formatTime writes a missing time as "—" and keeps what it cannot parse', () => {
  assert.equal(formatTime(null), '—');
  assert.equal(formatTime(undefined), '—');
  assert.equal(formatTime(''), '—');
  assert.equal(formatTime('soon'), 'soon');
  assert.equal(formatTime('2024-01-02T03:04:05Z'), new Date('2024-01-02T03:04:05Z').toLocaleString());
});

test('errorMessage says what went wrong without the error class name', () => {
  class ApiError extends Error {
    name = 'ApiError';
  }
  assert.equal(String(new ApiError('Path does not exist')), 'ApiError: Path does not exist');
  assert.equal(errorMessage(new ApiError('Path does not exist')), 'Path does not exist');
  assert.equal(errorMessage('plain'), 'plain');
});

test('baseName is the last part of a path, with or without a trailing slash', () => {
  assert.equal(baseName('models/cnn.keras'), 'cnn.keras');
  assert.equal(baseName('data/flowers/'), 'flowers');
  assert.equal(baseName('top.txt'), 'top.txt');
});
