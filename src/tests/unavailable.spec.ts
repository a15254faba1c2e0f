import { test } from 'node:test';
import assert from 'node:assert/strict';

import { unavailableReason } from '../platform/unavailable';

class StatusError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
  }
}

test('a 503 gives the server its say', () => {
  const reason = "The platform's store /w/platform.db cannot be opened: file is not a database: Move it aside";
  assert.equal(unavailableReason(new StatusError(503, reason)), reason);
});

test('anything else is not the platform being unavailable', () => {
  assert.equal(unavailableReason(new StatusError(404, 'Not Found')), null);
  assert.equal(unavailableReason(new TypeError('Failed to fetch')), null);
  assert.equal(unavailableReason({ status: 503, message: 'not an Error' }), null);
  assert.equal(unavailableReason(null), null);
});
