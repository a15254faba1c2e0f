import { test } from 'node:test';
import assert from 'node:assert/strict';

import { FRONTEND_VERSION, versionMismatch } from '../version';

/** English, as with no language pack: placeholders filled in. */
const __ = (message: string, ...args: string[]): string => message.replace(/%(\d+)/g, (_, n) => args[Number(n) - 1]);

test('matching major.minor is accepted', () => {
  assert.equal(versionMismatch('0.1.0', '0.1.3', __), null);
  assert.equal(versionMismatch(FRONTEND_VERSION, FRONTEND_VERSION, __), null);
});

test('a different minor or major is reported with both versions', () => {
  assert.equal(versionMismatch('0.1.0', '0.2.0', __), 'frontend 0.1.0 vs server 0.2.0');
  assert.equal(versionMismatch('1.0.0', '0.1.0', __), 'frontend 1.0.0 vs server 0.1.0');
});

test('a missing server version is reported', () => {
  assert.equal(versionMismatch('0.1.0', undefined, __), 'the server reported no version');
});
