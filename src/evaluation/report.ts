/** The evaluation report in a main-area tab: figures, per-class table, confusion matrix, drill-down. */
import { MainAreaWidget } from '@jupyterlab/apputils';
import type { ITranslator, TranslationBundle } from '@jupyterlab/translation';

import { el } from '../platform/dom';
import { errorMessage, formatTime } from '../platform/format';
import { WhileShownWidget } from '../platform/shown';
import { evaluationApi, EvaluationSummary } from './client';
import { ClassTable, confusionMatrix, ISelection, overallCards } from './figures';
import { evaluationIcon } from './icons';
import { SampleGrid } from './samples';
import { isFinished, statusLabel } from './states';

const POLL_MS = 1500;

export interface IEvaluationUI {
  readonly trans: TranslationBundle;
  /** For JupyterLab's own labels of the tab (its toolbar, its content). */
  readonly translator: ITranslator;
  /** Open the view of the job that writes the report. */
  openJob(id: string): void;
}

export class EvaluationReport extends WhileShownWidget {
  constructor(
    private readonly ui: IEvaluationUI,
    readonly evaluationId: string
  ) {
    super();
    this.addClass('jp-EvalReport');
    this._header = el('header', 'jp-EvalReport-header');
    this._body = el('div', 'jp-EvalReport-body');
    this.node.append(this._header, this._body);
  }

  /** Called with the summary whenever it was fetched (the tab's title follows it). */
  onSummary: ((summary: EvaluationSummary) => void) | null = null;

  async refresh(): Promise<void> {
    try {
      this._summary = await evaluationApi.get(this.evaluationId);
    } catch (error) {
      this._gone = (error as { status?: number }).status === 404;
      this._header.replaceChildren(el('p', 'jp-EvalReport-error', errorMessage(error)));
      return;
    }
    if (this.isDisposed) {
      return;
    }
    this.onSummary?.(this._summary);
    this._renderHeader(this._summary);
    if (this._summary.analysis && !this._drawn) {
      this._drawn = true;
      this._renderReport(this._summary);
    }
  }

  dispose(): void {
    this._grid?.dispose();
    super.dispose();
  }

  protected readonly pollMs = POLL_MS;

  protected canPoll(): boolean {
    return !this._gone && !this._finished();
  }

  protected async poll(): Promise<boolean> {
    await this.refresh();
    return !this._gone && !this._finished();
  }

  private _finished(): boolean {
    return this._summary !== null && isFinished(this._summary.status);
  }

  private _renderHeader(summary: EvaluationSummary): void {
    const trans = this.ui.trans;
    const title = el('h2', 'jp-EvalReport-title', trans.__('Evaluation of %1 on %2', summary.run, summary.data));
    const status = el('span', 'jp-EvalReport-status');
    status.dataset.status = summary.status;
    status.textContent =
      summary.status === 'complete'
        ? trans.__('%1 · %2', statusLabel(trans, summary.status), formatTime(summary.finished_at))
        : statusLabel(trans, summary.status);
    const line = el('div', 'jp-EvalReport-meta');
    line.append(status, el('span', '', trans.__('report in %1/', summary.folder)));
    if (summary.job_id) {
      const jobId = summary.job_id;
      const job = el('button', 'jp-EvalReport-jobLink', trans.__('job %1', jobId));
      job.type = 'button';
      job.addEventListener('click', () => this.ui.openJob(jobId));
      line.append(job);
    }
    this._header.replaceChildren(title, line);
    if (summary.error) {
      this._header.append(el('pre', 'jp-EvalReport-error', summary.error));
    }
  }

  private _renderReport(summary: EvaluationSummary): void {
    const analysis = summary.analysis;
    if (!analysis) {
      return;
    }
    const trans = this.ui.trans;
    const grid = new SampleGrid(trans, summary.id, analysis);
    this._grid = grid;
    const table = new ClassTable(trans, analysis, selection => select(selection));
    const select = (selection: ISelection): void => {
      table.highlight(selection.truth);
      grid.show(selection);
    };
    const left = el('div', 'jp-EvalReport-left');
    const matrixBox = el('div', 'jp-EvalReport-matrixBox');
    matrixBox.append(confusionMatrix(trans, analysis, select));
    left.append(
      overallCards(trans, analysis),
      el('h3', '', trans.__('Per class')),
      table.node,
      el('h3', '', trans.__('Confusion matrix')),
      matrixBox
    );
    this._body.replaceChildren(left, grid.node);
    // Start on the class with the most misclassified samples: the first thing people look for.
    const worst = analysis.per_class.reduce(
      (best, figures, index) => (figures.misclassified > analysis.per_class[best].misclassified ? index : best),
      0
    );
    select({ truth: worst, kind: 'misclassified' });
  }

  private _summary: EvaluationSummary | null = null;
  private _drawn = false;
  private _gone = false;
  private _grid: SampleGrid | null = null;
  private _header: HTMLElement;
  private _body: HTMLElement;
}

export function createReportWidget(ui: IEvaluationUI, evaluationId: string): MainAreaWidget<EvaluationReport> {
  const content = new EvaluationReport(ui, evaluationId);
  const widget = new MainAreaWidget({ content, translator: ui.translator });
  widget.id = `jlab-platform-evaluation-${evaluationId}`;
  widget.addClass('jp-EvalReportPanel');
  widget.title.icon = evaluationIcon;
  widget.title.label = ui.trans.__('Evaluation %1', evaluationId);
  widget.title.closable = true;
  content.onSummary = summary => {
    const run = summary.run.split('/').pop() ?? summary.run;
    widget.title.label = ui.trans.__('Evaluation · %1 · %2', run, summary.data);
    widget.title.caption = ui.trans.__('Evaluation %1 of %2 on %3', summary.id, summary.run, summary.data);
  };
  void content.refresh();
  return widget;
}
