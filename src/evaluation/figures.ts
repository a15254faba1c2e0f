/** The report's figures: overall numbers, the sortable per-class table and the confusion matrix. */
import type { TranslationBundle } from '@jupyterlab/translation';

import { el } from '../platform/dom';
import { Analysis, ClassFigures } from './client';

/** What the drill-down shows: one class's samples of a kind, or one confusion-matrix cell. */
export interface ISelection {
  truth: number;
  predicted?: number;
  kind: 'misclassified' | 'noncompliant' | 'all';
}

type Column = keyof Pick<
  ClassFigures,
  'name' | 'precision' | 'recall' | 'f1' | 'iou' | 'support' | 'misclassified' | 'noncompliant'
>;

export function percent(value: number): string {
  return `${(value * 100).toFixed(1)}%`;
}

/** The overall figures as a row of cards; IoU only where it means something (segmentation). */
export function overallCards(trans: TranslationBundle, analysis: Analysis): HTMLElement {
  const o = analysis.overall;
  const segmentation = analysis.task === 'segmentation';
  const cards: [string, string, string][] = [
    [trans.__('Accuracy'), percent(o.accuracy), 'accuracy'],
    [trans.__('Precision'), percent(o.precision), 'precision'],
    [trans.__('Recall'), percent(o.recall), 'recall'],
    [trans.__('F1'), percent(o.f1), 'f1']
  ];
  if (segmentation) {
    cards.push([trans.__('IoU'), percent(o.iou), 'iou']);
  }
  cards.push(
    [trans.__('Samples'), o.samples.toLocaleString(), 'samples'],
    [trans.__('Misclassified'), o.misclassified.toLocaleString(), 'misclassified'],
    [trans.__('Non-compliant'), o.noncompliant.toLocaleString(), 'noncompliant']
  );
  const row = el('div', 'jp-EvalReport-cards');
  for (const [label, value, key] of cards) {
    const card = el('div', 'jp-EvalReport-card');
    card.dataset.key = key;
    card.append(el('span', 'jp-EvalReport-cardValue', value), el('span', 'jp-EvalReport-cardLabel', label));
    row.append(card);
  }
  row.title = segmentation
    ? trans.__('Macro means over the classes present; pixels are counted')
    : trans.__('Macro means over the classes present (a class in neither truth nor prediction is left out)');
  return row;
}

/** The per-class table: click a header to sort, a row to drill into that class. */
export class ClassTable {
  readonly node: HTMLTableElement;

  constructor(
    private readonly trans: TranslationBundle,
    private readonly analysis: Analysis,
    private readonly onSelect: (selection: ISelection) => void
  ) {
    this.node = el('table', 'jp-EvalReport-classes');
    this._render();
  }

  /** Mark the row of the class being drilled into. */
  highlight(truth: number | null): void {
    this._selected = truth;
    this.node.querySelectorAll<HTMLTableRowElement>('tbody tr').forEach(row => {
      row.classList.toggle('jp-mod-selected', Number(row.dataset.class) === truth);
    });
  }

  private _columns(): [Column, string][] {
    const trans = this.trans;
    const columns: [Column, string][] = [
      ['name', trans.__('Class')],
      ['precision', trans.__('Precision')],
      ['recall', trans.__('Recall')],
      ['f1', trans.__('F1')]
    ];
    if (this.analysis.task === 'segmentation') {
      columns.push(['iou', trans.__('IoU')]);
    }
    columns.push(
      ['support', this.analysis.overall.units === 'pixels' ? trans.__('Pixels') : trans.__('Support')],
      ['misclassified', trans.__('Misclassified')],
      ['noncompliant', trans.__('Non-compliant')]
    );
    return columns;
  }

  private _render(): void {
    const columns = this._columns();
    const head = el('tr');
    for (const [key, label] of columns) {
      const th = el('th', '', label);
      th.dataset.column = key;
      th.tabIndex = 0;
      th.setAttribute('aria-sort', this._sort === key ? (this._descending ? 'descending' : 'ascending') : 'none');
      th.title = this.trans.__('Sort by %1', label);
      const sort = (): void => {
        this._descending = this._sort === key ? !this._descending : key !== 'name';
        this._sort = key;
        this._render();
      };
      th.addEventListener('click', sort);
      th.addEventListener('keydown', event => event.key === 'Enter' && sort());
      head.append(th);
    }
    const rows = this.analysis.per_class.map((figures, index) => ({ figures, index }));
    const direction = this._descending ? -1 : 1;
    const key = this._sort;
    rows.sort((a, b) => {
      const x = a.figures[key];
      const y = b.figures[key];
      return (typeof x === 'string' ? x.localeCompare(String(y)) : x - Number(y)) * direction || a.index - b.index;
    });
    const body = el('tbody');
    for (const { figures, index } of rows) {
      const row = el('tr');
      row.dataset.class = String(index);
      row.classList.toggle('jp-mod-absent', !figures.present);
      row.classList.toggle('jp-mod-selected', index === this._selected);
      row.title = figures.present
        ? this.trans.__('Show the misclassified samples of %1', figures.name)
        : this.trans.__('%1 is in neither the truth nor the predictions: left out of the means', figures.name);
      for (const [column] of columns) {
        const value = figures[column];
        const text =
          column === 'name'
            ? String(value)
            : ['support', 'misclassified', 'noncompliant'].includes(column)
              ? Number(value).toLocaleString()
              : figures.present
                ? percent(Number(value))
                : '—';
        const td = el('td', '', text);
        td.dataset.column = column;
        if (column === 'noncompliant' && figures.noncompliant > 0) {
          td.classList.add('jp-EvalReport-link');
          td.addEventListener('click', event => {
            event.stopPropagation();
            this.onSelect({ truth: index, kind: 'noncompliant' });
          });
        }
        row.append(td);
      }
      row.addEventListener('click', () => this.onSelect({ truth: index, kind: 'misclassified' }));
      body.append(row);
    }
    const thead = el('thead');
    thead.append(head);
    this.node.replaceChildren(thead, body);
  }

  private _sort: Column = 'name';
  private _descending = false;
  private _selected: number | null = null;
}

/** The confusion matrix as a heat map; a cell's click shows its samples. */
export function confusionMatrix(
  trans: TranslationBundle,
  analysis: Analysis,
  onSelect: (selection: ISelection) => void
): HTMLElement {
  const matrix = analysis.confusion_matrix;
  const classes = analysis.classes;
  const rowTotals = matrix.map(row => row.reduce((sum, n) => sum + n, 0));
  const table = el('table', 'jp-EvalReport-matrix');
  const head = el('tr');
  const corner = el('th', 'jp-EvalReport-corner', trans.__('true ↓ / predicted →'));
  head.append(corner, ...classes.map(name => el('th', 'jp-EvalReport-colHead', name)));
  const thead = el('thead');
  thead.append(head);
  const body = el('tbody');
  matrix.forEach((row, truth) => {
    const tr = el('tr');
    tr.append(el('th', '', classes[truth]));
    row.forEach((count, predicted) => {
      const share = rowTotals[truth] ? count / rowTotals[truth] : 0;
      const cell = el('td', predicted === truth ? 'jp-mod-diagonal' : '', count.toLocaleString());
      cell.dataset.truth = String(truth);
      cell.dataset.predicted = String(predicted);
      // The share of the true class decides the shade: rows of small classes read as clearly as large ones.
      // At most 60 % of the colour, so that the count stays readable on the darkest cell.
      cell.style.setProperty('--jp-eval-share', `${Math.round(share * 60)}%`);
      cell.title = trans.__('%1 of %2 predicted as %3 (%4)', count, classes[truth], classes[predicted], percent(share));
      if (count > 0 && analysis.task === 'classification') {
        cell.classList.add('jp-EvalReport-link');
        cell.addEventListener('click', () => onSelect({ truth, predicted, kind: 'all' }));
      }
      tr.append(cell);
    });
    body.append(tr);
  });
  table.append(thead, body);
  return table;
}
