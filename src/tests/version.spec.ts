import { test } from 'node:test';
import assert from 'node:assert/strict';

import { FRONTEND_VERSION, versionMismatch } from '../version';

test('matching major.minor is accepted', () => {
  assert.equal(versionMismatch('0.1.0', '0.1.3'), null);
  assert.equal(versionMismatch(FRONTEND_VERSION, FRONTEND_VERSION), null);
});

test('a different minor or major is reported with both versions', () => {
  assert.equal(versionMismatch('0.1.0', '0.2.0'), 'frontend 0.1.0 vs server 0.2.0');
  assert.equal(versionMismatch('1.0.0', '0.1.0'), 'frontend 1.0.0 vs server 0.1.0');
});

test('a missing server version is reported', () => {
  assert.equal(versionMismatch('0.1.0', undefined), 'server reported no version');
});
