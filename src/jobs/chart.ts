/** Metric series scaled into a small SVG line chart (pure: unit-tested in node). */
import { IMetricPoint } from './model';

/** One run's line: the `points` attribute of its polyline ("x,y x,y ..."). */
export interface IChartLine {
  run: number;
  points: string;
}

export interface IChartGeometry {
  /** One line per run (a job that trains twice has two), oldest run first. */
  lines: IChartLine[];
  minX: number;
  maxX: number;
  minY: number;
  maxY: number;
  /** The last point by step of the newest run, for the "latest value" label. */
  last: IMetricPoint | null;
  /** How many points are plotted (after dropping non-finite ones and thinning). */
  count: number;
}

/** The points of each run, by run index, each sorted by step (the order they came in on ties). */
export function splitRuns(raw: IMetricPoint[]): Map<number, IMetricPoint[]> {
  const sorted = raw
    .filter(p => Number.isFinite(p.step) && Number.isFinite(p.value))
    .map((p, index) => ({ p, index }))
    .sort((a, b) => a.p.run - b.p.run || a.p.step - b.p.step || a.index - b.index);
  const runs = new Map<number, IMetricPoint[]>();
  for (const { p } of sorted) {
    const points = runs.get(p.run);
    if (points) {
      points.push(p);
    } else {
      runs.set(p.run, [p]);
    }
  }
  return runs;
}

export interface IChartSize {
  width: number;
  height: number;
  /** Empty space kept around the line so it never touches the frame. */
  padding: number;
}

/**
 * At most about `maxPoints` points, keeping the smallest and the largest value of
 * each bucket so that spikes survive the thinning.
 */
export function thinPoints(points: IMetricPoint[], maxPoints: number): IMetricPoint[] {
  if (points.length <= maxPoints || maxPoints < 4) {
    return points;
  }
  const buckets = Math.floor(maxPoints / 2);
  const size = points.length / buckets;
  const kept: IMetricPoint[] = [];
  for (let b = 0; b < buckets; b++) {
    const from = Math.floor(b * size);
    const to = Math.min(points.length, Math.floor((b + 1) * size));
    let low = from;
    let high = from;
    for (let i = from; i < to; i++) {
      if (points[i].value < points[low].value) {
        low = i;
      }
      if (points[i].value > points[high].value) {
        high = i;
      }
    }
    kept.push(points[Math.min(low, high)]);
    if (low !== high) {
      kept.push(points[Math.max(low, high)]);
    }
  }
  const last = points[points.length - 1];
  if (kept[kept.length - 1] !== last) {
    kept.push(last);
  }
  return kept;
}

/** Scale value-vs-step points into the chart's box (SVG y grows downwards), one line per run. */
export function chartGeometry(raw: IMetricPoint[], size: IChartSize, maxPoints = 400): IChartGeometry {
  const runs = splitRuns(raw);
  const all = [...runs.values()].flat();
  if (all.length === 0) {
    return { lines: [], minX: 0, maxX: 0, minY: 0, maxY: 0, last: null, count: 0 };
  }
  let minX = Infinity;
  let maxX = -Infinity;
  let minY = Infinity;
  let maxY = -Infinity;
  for (const { step, value } of all) {
    minX = Math.min(minX, step);
    maxX = Math.max(maxX, step);
    minY = Math.min(minY, value);
    maxY = Math.max(maxY, value);
  }
  const { width, height, padding } = size;
  const innerW = width - 2 * padding;
  const innerH = height - 2 * padding;
  const x = (step: number): number =>
    maxX === minX ? padding + innerW / 2 : padding + ((step - minX) / (maxX - minX)) * innerW;
  const y = (value: number): number =>
    maxY === minY ? padding + innerH / 2 : padding + (1 - (value - minY) / (maxY - minY)) * innerH;
  const round = (n: number): number => Math.round(n * 10) / 10;
  const perRun = Math.max(4, Math.floor(maxPoints / runs.size));
  let count = 0;
  const lines = [...runs].map(([run, points]) => {
    const kept = thinPoints(points, perRun);
    count += kept.length;
    const coords = kept.map(p => `${round(x(p.step))},${round(y(p.value))}`);
    if (coords.length === 1) {
      // A single point still draws as a short flat line.
      const [cx, cy] = coords[0].split(',');
      coords.splice(0, 1, `${round(Number(cx) - 2)},${cy}`, `${round(Number(cx) + 2)},${cy}`);
    }
    return { run, points: coords.join(' ') };
  });
  const newest = [...runs.values()][runs.size - 1];
  return { lines, minX, maxX, minY, maxY, last: newest[newest.length - 1], count };
}
