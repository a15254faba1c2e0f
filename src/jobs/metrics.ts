/** The metrics of a job: a progress bar with ETA and one small line chart per series. */
import { TranslationBundle } from '@jupyterlab/translation';

import { chartGeometry } from './chart';
import { el } from '../platform/dom';
import { runLabel } from './labels';
import { formatDuration, formatNumber, IJobMetrics, IMetricPoint, IMetricRun, progressFacts } from './model';

const SVG_NS = 'http://www.w3.org/2000/svg';
const WIDTH = 300;
const HEIGHT = 130;
const MARGIN = { left: 48, right: 10, top: 8, bottom: 20 };
/** Runs get these colours in turn (classes jp-JobChart-run0 … run5 in the stylesheet). */
const RUN_COLOURS = 6;

function runClass(run: number): string {
  return `jp-JobChart-run${run % RUN_COLOURS}`;
}

function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
  className?: string
): SVGElementTagNameMap[K] {
  const node = document.createElementNS(SVG_NS, tag);
  for (const [key, value] of Object.entries(attrs)) {
    node.setAttribute(key, String(value));
  }
  if (className) {
    node.setAttribute('class', className);
  }
  return node;
}

/** One series: a polyline per run with min/max labels on both axes, updated in place. */
class MetricChart {
  readonly node: HTMLElement;

  constructor(
    private readonly trans: TranslationBundle,
    readonly name: string
  ) {
    this.node = el('figure', 'jp-JobChart');
    this.node.dataset.metric = name;
    this._caption = el('figcaption', 'jp-JobChart-caption');
    const innerW = WIDTH - MARGIN.left - MARGIN.right;
    const innerH = HEIGHT - MARGIN.top - MARGIN.bottom;
    const box = { viewBox: `0 0 ${WIDTH} ${HEIGHT}`, width: WIDTH, height: HEIGHT, role: 'img' };
    this._svg = svg('svg', box, 'jp-JobChart-svg');
    const plot = svg('g', { transform: `translate(${MARGIN.left},${MARGIN.top})` });
    this._lines = svg('g');
    plot.append(svg('rect', { x: 0, y: 0, width: innerW, height: innerH }, 'jp-JobChart-frame'), this._lines);
    const label = (x: number, y: number, anchor: string, extra = ''): SVGTextElement =>
      svg('text', { x, y, 'text-anchor': anchor }, `jp-JobChart-label ${extra}`.trim());
    this._maxY = label(MARGIN.left - 4, MARGIN.top + 8, 'end');
    this._minY = label(MARGIN.left - 4, MARGIN.top + innerH, 'end');
    this._minX = label(MARGIN.left, HEIGHT - 5, 'start');
    this._maxX = label(WIDTH - MARGIN.right, HEIGHT - 5, 'end');
    const stepLabel = label(MARGIN.left + innerW / 2, HEIGHT - 5, 'middle', 'jp-JobChart-axisName');
    stepLabel.textContent = trans.__('step');
    this._svg.append(plot, this._maxY, this._minY, this._minX, this._maxX, stepLabel);
    this.node.append(this._caption, this._svg);
  }

  update(points: IMetricPoint[]): void {
    const innerW = WIDTH - MARGIN.left - MARGIN.right;
    const innerH = HEIGHT - MARGIN.top - MARGIN.bottom;
    const g = chartGeometry(points, { width: innerW, height: innerH, padding: 3 });
    this._lines.replaceChildren(
      ...g.lines.map(line => {
        const polyline = svg('polyline', { points: line.points }, `jp-JobChart-line ${runClass(line.run)}`);
        polyline.dataset.run = String(line.run);
        return polyline;
      })
    );
    this._maxY.textContent = g.last ? formatNumber(g.maxY) : '';
    this._minY.textContent = g.last ? formatNumber(g.minY) : '';
    this._minX.textContent = g.last ? formatNumber(g.minX) : '';
    this._maxX.textContent = g.last ? formatNumber(g.maxX) : '';
    this._caption.replaceChildren(
      el('span', 'jp-JobChart-name', this.name),
      el(
        'span',
        'jp-JobChart-last',
        g.last ? this.trans.__('%1 at step %2', formatNumber(g.last.value), formatNumber(g.last.step)) : ''
      )
    );
    this._svg.setAttribute(
      'aria-label',
      this.trans.__(
        '%1 from step %2 to %3, between %4 and %5',
        this.name,
        formatNumber(g.minX),
        formatNumber(g.maxX),
        formatNumber(g.minY),
        formatNumber(g.maxY)
      )
    );
  }

  private _caption: HTMLElement;
  private _svg: SVGSVGElement;
  private _lines: SVGGElement;
  private _maxY: SVGTextElement;
  private _minY: SVGTextElement;
  private _minX: SVGTextElement;
  private _maxX: SVGTextElement;
}

export class MetricsArea {
  readonly node: HTMLElement;

  constructor(private readonly trans: TranslationBundle) {
    this.node = el('section', 'jp-JobMetrics');
    this._progress = el('div', 'jp-JobProgress');
    this._bar = el('div', 'jp-JobProgress-bar');
    this._fill = el('div', 'jp-JobProgress-fill');
    this._bar.append(this._fill);
    this._bar.setAttribute('role', 'progressbar');
    this._bar.setAttribute('aria-valuemin', '0');
    this._bar.setAttribute('aria-valuemax', '100');
    this._progressText = el('span', 'jp-JobProgress-text');
    this._progress.append(this._bar, this._progressText);
    this._progress.hidden = true;
    this._legend = el('div', 'jp-JobChart-legend');
    this._legend.hidden = true;
    this._charts = el('div', 'jp-JobCharts');
    this._hint = el(
      'div',
      'jp-JobMetrics-hint',
      trans.__(
        'No metrics yet. A job that prints JSON lines like %1 gets curves, progress and an ETA here.',
        '{"metric": "loss", "value": 0.3, "step": 10, "total": 100}'
      )
    );
    this._hint.hidden = true;
    this.node.append(this._progress, this._legend, this._charts, this._hint);
  }

  update(metrics: IJobMetrics, running: boolean): void {
    const trans = this.trans;
    const facts = progressFacts(metrics.progress);
    this._progress.hidden = facts === null;
    if (facts) {
      const percent = facts.fraction === null ? null : Math.round(facts.fraction * 100);
      this._fill.style.width = `${percent ?? 0}%`;
      if (percent !== null) {
        this._bar.setAttribute('aria-valuenow', String(percent));
      }
      const parts = [trans.__('step %1', facts.text)];
      if (percent !== null) {
        parts.push(`${percent}%`);
      }
      if (running && metrics.eta_seconds !== null && metrics.eta_seconds !== undefined) {
        parts.push(trans.__('ETA %1', formatDuration(metrics.eta_seconds)));
      }
      this._progressText.textContent = parts.join(' · ');
    }
    const names = Object.keys(metrics.series ?? {}).sort();
    for (const [name, chart] of this._chartsByName) {
      if (!names.includes(name)) {
        chart.node.remove();
        this._chartsByName.delete(name);
      }
    }
    for (const name of names) {
      let chart = this._chartsByName.get(name);
      if (!chart) {
        chart = new MetricChart(trans, name);
        this._chartsByName.set(name, chart);
      }
      chart.update(metrics.series[name]);
    }
    this._charts.replaceChildren(...names.map(name => this._chartsByName.get(name)!.node));
    this._showRuns(metrics);
    // The hint helps while a job runs; a finished job without metrics simply has none.
    this._hint.hidden = !running || names.length > 0 || facts !== null;
  }

  /** A legend when the job trained more than once: one colour per run, the same in every chart. */
  private _showRuns(metrics: IJobMetrics): void {
    const indexes = new Set<number>();
    for (const points of Object.values(metrics.series ?? {})) {
      points.forEach(point => indexes.add(point.run));
    }
    const runs = [...indexes].sort((a, b) => a - b);
    this._legend.hidden = runs.length < 2;
    this._legend.replaceChildren(...(runs.length < 2 ? [] : runs.map(run => this._legendItem(run, metrics.runs))));
  }

  private _legendItem(run: number, runs: IMetricRun[] | undefined): HTMLElement {
    const item = el('span', 'jp-JobChart-legendItem');
    item.dataset.run = String(run);
    item.append(el('span', `jp-JobChart-swatch ${runClass(run)}`), runLabel(this.trans, run, runs));
    return item;
  }

  private _legend: HTMLElement;
  private _progress: HTMLElement;
  private _bar: HTMLElement;
  private _fill: HTMLElement;
  private _progressText: HTMLElement;
  private _charts: HTMLElement;
  private _hint: HTMLElement;
  private _chartsByName = new Map<string, MetricChart>();
}
