import { test } from 'node:test';
import assert from 'node:assert/strict';

import { clusterSummary, ICluster, ITrans, snapshotSummary, snapshotsNearlyFull } from '../jobs/cluster';

const trans: ITrans = {
  __: (msgid: string, ...args: unknown[]) =>
    args.reduce<string>((text, arg, i) => text.replace(`%${i + 1}`, String(arg)), msgid),
  _n: (one: string, many: string, n: number, ...args: unknown[]) =>
    args.reduce<string>((text, arg, i) => text.replace(`%${i + 1}`, String(arg)), n === 1 ? one : many)
};

const base: ICluster = {
  executor: 'local',
  address: null,
  nodes: [{ name: 'vm', head: true, cpus: 2, gpus: 0 }],
  cpus: 2,
  cpus_used: 1,
  gpus: 0,
  gpus_used: 0
};

test('this machine shows its cpu job slots', () => {
  assert.equal(clusterSummary(trans, base), 'This machine: cpu slots 1/2 in use · no GPU');
});

test('a Ray cluster shows nodes, CPUs and GPUs in use', () => {
  const ray: ICluster = {
    ...base,
    executor: 'ray',
    address: 'http://head:8265',
    nodes: [base.nodes[0], { name: 'gpu-1', head: false, cpus: 8, gpus: 2 }],
    cpus: 10,
    cpus_used: 2.5,
    gpus: 2,
    gpus_used: 1
  };
  assert.equal(clusterSummary(trans, ray), 'Ray cluster: 2 nodes · CPUs 2.5/10 in use · GPUs 1/2 in use');
});

test('snapshot space shows its use against the limit, and warns when nearly full', () => {
  const half = { used_bytes: 1.2 * 1024 ** 3, limit_bytes: 10 * 1024 ** 3 };
  assert.equal(snapshotSummary(trans, half), 'Snapshots: 1.2 GiB of 10 GiB');
  assert.equal(snapshotsNearlyFull(half), false);
  assert.equal(snapshotsNearlyFull({ ...half, used_bytes: 9.5 * 1024 ** 3 }), true);
  assert.equal(snapshotSummary(trans, { used_bytes: 0, limit_bytes: null }), 'Snapshots: 0 B');
  assert.equal(snapshotsNearlyFull({ used_bytes: 5, limit_bytes: null }), false);
});
