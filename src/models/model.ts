/**
 * The pure logic of the model library's views: search, the name rule, metric columns and
 * times. No JupyterLab imports at runtime: unit-tested in node.
 */
import { MISSING } from '../platform/format';
import type { IModelSummary, IVersion } from './client';

/** The seed's name rule (the server checks it too): ≤ 60, a letter first, a-z A-Z 0-9 - _, ending in a letter or digit. */
export function isModelName(name: string): boolean {
  return /^[A-Za-z](?:[A-Za-z0-9_-]{0,58}[A-Za-z0-9])?$/.test(name);
}

/** Every word of the query appears in the name, description, template, type or an alias. */
export function matchesQuery(model: IModelSummary, query: string): boolean {
  const haystack = [model.name, model.description, model.template, model.task, ...Object.keys(model.aliases)]
    .join('\n')
    .toLowerCase();
  return query
    .toLowerCase()
    .split(/\s+/)
    .filter(word => word.length > 0)
    .every(word => haystack.includes(word));
}

/** A metric's value as the table shows it (4 significant digits at most). */
export function formatMetric(value: number | undefined): string {
  if (value === undefined || !Number.isFinite(value)) {
    return MISSING;
  }
  return Number.isInteger(value) ? String(value) : String(Number(value.toPrecision(4)));
}

/** Whether a lower value of this metric is better (losses and errors). */
export function lowerIsBetter(metric: string): boolean {
  return /loss|error|mae|mse|rmse/i.test(metric);
}

/**
 * The metric names of all versions, the validation ones first; the last learning rate (`lr`) is
 * how training ended, not how good the model is, so it is no column.
 */
export function metricNames(versions: IVersion[]): string[] {
  const names = new Set(versions.flatMap(version => Object.keys(version.metrics)).filter(name => name !== 'lr'));
  return [...names].sort((a, b) => Number(b.startsWith('val')) - Number(a.startsWith('val')) || a.localeCompare(b));
}

/** The version with the best value of each metric (none when fewer than two versions have it). */
export function bestVersions(versions: IVersion[], metrics: string[]): Map<string, string> {
  const best = new Map<string, string>();
  for (const metric of metrics) {
    const scored = versions.filter(version => Number.isFinite(version.metrics[metric]));
    if (scored.length < 2) {
      continue;
    }
    const sign = lowerIsBetter(metric) ? -1 : 1;
    const top = scored.reduce((a, b) => (sign * b.metrics[metric] > sign * a.metrics[metric] ? b : a));
    best.set(metric, top.version);
  }
  return best;
}

/** "12 s", "3 min", "1 h 05 min": how long until a training ends. */
export function formatEta(seconds: number | null): string {
  if (seconds === null || !Number.isFinite(seconds) || seconds < 0) {
    return '';
  }
  if (seconds < 60) {
    return `${Math.round(seconds)} s`;
  }
  const minutes = Math.round(seconds / 60);
  return minutes < 60 ? `${minutes} min` : `${Math.floor(minutes / 60)} h ${String(minutes % 60).padStart(2, '0')} min`;
}
