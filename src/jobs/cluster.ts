/** Where jobs run and the disk their snapshots take, as lines for the Jobs section (pure:
 * unit-tested in node). */
import { formatBytes } from '../platform/format';
import type { ICluster, ISnapshotSpace } from './model';

export type { ICluster };

/** The minimal translation surface used here (JupyterLab's TranslationBundle fits). */
export interface ITrans {
  __(msgid: string, ...args: unknown[]): string;
  _n(msgid: string, msgidPlural: string, n: number, ...args: unknown[]): string;
}

function amount(value: number): string {
  return Number.isInteger(value) ? String(value) : value.toFixed(1);
}

/** e.g. "Ray cluster: 3 nodes · CPUs 4/16 in use · GPUs 1/2 in use" or "This machine: cpu slots 1/2 in use". */
export function clusterSummary(trans: ITrans, cluster: ICluster): string {
  const gpus = cluster.gpus
    ? trans.__('GPUs %1/%2 in use', amount(cluster.gpus_used), amount(cluster.gpus))
    : trans.__('no GPU');
  if (cluster.executor === 'local') {
    return trans.__('This machine: cpu slots %1/%2 in use · %3', amount(cluster.cpus_used), amount(cluster.cpus), gpus);
  }
  const nodes = trans._n('%1 node', '%1 nodes', cluster.nodes.length, cluster.nodes.length);
  return trans.__(
    'Ray cluster: %1 · CPUs %2/%3 in use · %4',
    nodes,
    amount(cluster.cpus_used),
    amount(cluster.cpus),
    gpus
  );
}

/** Share of the snapshot limit from which the line is shown as a warning. */
export const SNAPSHOTS_NEARLY_FULL = 0.9;

/** e.g. "Snapshots: 1.2 GiB of 10 GiB", or "Snapshots: 1.2 GiB" without a limit. */
export function snapshotSummary(trans: ITrans, space: ISnapshotSpace): string {
  const used = formatBytes(space.used_bytes);
  return space.limit_bytes
    ? trans.__('Snapshots: %1 of %2', used, formatBytes(space.limit_bytes))
    : trans.__('Snapshots: %1', used);
}

export function snapshotsNearlyFull(space: ISnapshotSpace): boolean {
  return !!space.limit_bytes && space.used_bytes >= SNAPSHOTS_NEARLY_FULL * space.limit_bytes;
}
