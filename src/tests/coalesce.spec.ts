import { test } from 'node:test';
import assert from 'node:assert/strict';

import { CoalescedLoad } from '../platform/coalesce';

function deferred(): { promise: Promise<void>; resolve: () => void } {
  let resolve = (): void => undefined;
  const promise = new Promise<void>(done => (resolve = done));
  return { promise, resolve };
}

test('calls during a load collapse into one more round', async () => {
  const gates = [deferred(), deferred(), deferred()];
  let loads = 0;
  const load = new CoalescedLoad(
    async () => {
      await gates[loads++].promise;
    },
    () => false
  );
  const first = load.run();
  const overlapping = [load.run(), load.run(), load.run()];
  await Promise.all(overlapping); // they return at once: the running load owns the next round
  gates[0].resolve();
  await Promise.resolve();
  gates[1].resolve();
  await first;
  assert.equal(loads, 2);
  gates[2].resolve();
  await load.run(); // idle again: a new call loads at once
  assert.equal(loads, 3);
});

test('no further round once the owner is gone, and a failed load does not wedge it', async () => {
  let loads = 0;
  let stopped = false;
  const gate = deferred();
  const load = new CoalescedLoad(
    async () => {
      loads++;
      if (loads === 1) {
        await gate.promise;
        stopped = true;
      } else {
        throw new Error('server gone');
      }
    },
    () => stopped
  );
  const first = load.run();
  void load.run();
  gate.resolve();
  await first;
  assert.equal(loads, 1);
  stopped = false;
  await assert.rejects(load.run(), /server gone/);
  await load.run().catch(() => undefined);
  assert.equal(loads, 3);
});
