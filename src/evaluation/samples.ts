/** The drill-down: a page of samples as thumbnails, zoom, and downloads of one or a selection. */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { el } from '../platform/dom';
import { errorMessage } from '../platform/format';
import { evaluationApi, Analysis, Sample, SamplePage } from './client';
import { ISelection, percent } from './figures';

export const PAGE_SIZE = 48;

/** Start a download of `url` (a plain GET: the login cookie authenticates it). */
function download(url: string): void {
  const link = el('a');
  link.href = url;
  link.download = '';
  document.body.append(link);
  link.click();
  link.remove();
}

export class SampleGrid {
  readonly node: HTMLElement;

  constructor(
    private readonly trans: TranslationBundle,
    private readonly evaluationId: string,
    private readonly analysis: Analysis
  ) {
    this.node = el('section', 'jp-EvalSamples');
    this._title = el('h3', 'jp-EvalSamples-title');
    this._kinds = el('div', 'jp-EvalSamples-kinds');
    this._grid = el('div', 'jp-EvalSamples-grid');
    this._status = el('div', 'jp-EvalSamples-status');
    this._selectPage = this._button(trans.__('Select page'), 'select-page', () => this._toggleSelectPage());
    this._download = this._button('', 'download-selected', () =>
      download(evaluationApi.downloadUrl(this.evaluationId, [...this._chosen]))
    );
    this._prev = this._button(trans.__('Previous'), 'previous', () => void this._load(this._offset - PAGE_SIZE));
    this._next = this._button(trans.__('Next'), 'next', () => void this._load(this._offset + PAGE_SIZE));
    const bar = el('div', 'jp-EvalSamples-bar');
    bar.append(
      this._selectPage,
      this._download,
      el('span', 'jp-EvalSamples-spacer'),
      this._prev,
      this._status,
      this._next
    );
    this.node.append(this._title, this._kinds, bar, this._grid);
    this._title.textContent = trans.__('Click a class or a confusion-matrix cell to see its samples');
    this._updateButtons();
  }

  /** Show the first page of a selection. */
  show(selection: ISelection): void {
    this._selection = selection;
    this._chosen.clear();
    this._renderKinds();
    void this._load(0);
  }

  dispose(): void {
    this._revoke();
  }

  private _button(label: string, action: string, onClick: () => void): HTMLButtonElement {
    const button = el('button', 'jp-Button jp-mod-styled jp-EvalSamples-button', label);
    button.type = 'button';
    button.dataset.action = action;
    button.addEventListener('click', onClick);
    return button;
  }

  private _renderKinds(): void {
    const selection = this._selection;
    if (!selection || selection.predicted !== undefined) {
      this._kinds.replaceChildren();
      return;
    }
    const trans = this.trans;
    const kinds: [ISelection['kind'], string][] = [
      ['misclassified', trans.__('Misclassified')],
      ['noncompliant', trans.__('Non-compliant')],
      ['all', trans.__('All')]
    ];
    this._kinds.replaceChildren(
      ...kinds.map(([kind, label]) => {
        const tab = this._button(label, `kind-${kind}`, () => this.show({ ...selection, kind }));
        tab.classList.toggle('jp-mod-active', selection.kind === kind);
        tab.setAttribute('aria-pressed', String(selection.kind === kind));
        return tab;
      })
    );
  }

  private _heading(total: number): string {
    const selection = this._selection;
    if (!selection) {
      return '';
    }
    const classes = this.analysis.classes;
    const trans = this.trans;
    if (selection.predicted !== undefined) {
      return trans.__('%1 predicted as %2: %3 samples', classes[selection.truth], classes[selection.predicted], total);
    }
    const kinds = {
      misclassified: trans.__('%1: %2 misclassified', classes[selection.truth], total),
      noncompliant: trans.__('%1: %2 non-compliant', classes[selection.truth], total),
      all: trans.__('%1: %2 samples', classes[selection.truth], total)
    };
    return kinds[selection.kind];
  }

  private async _load(offset: number): Promise<void> {
    const selection = this._selection;
    if (!selection) {
      return;
    }
    const request = ++this._request;
    let page: SamplePage;
    try {
      page = await evaluationApi.samples(this.evaluationId, {
        class: selection.truth,
        predicted: selection.predicted,
        kind: selection.kind,
        offset: Math.max(0, offset),
        limit: PAGE_SIZE
      });
    } catch (error) {
      this._status.textContent = errorMessage(error);
      return;
    }
    if (request !== this._request) {
      return; // a newer selection or page was asked for meanwhile
    }
    this._offset = page.offset;
    this._total = page.total;
    this._page = page.samples;
    this._title.textContent = this._heading(page.total);
    this._status.textContent = page.total
      ? this.trans.__('%1–%2 of %3', page.offset + 1, page.offset + page.samples.length, page.total.toLocaleString())
      : this.trans.__('No samples');
    this._renderTiles();
    this._updateButtons();
  }

  private _renderTiles(): void {
    this._revoke();
    const tiles = this._page.map(sample => this._tile(sample));
    this._grid.replaceChildren(...tiles);
  }

  private _tile(sample: Sample): HTMLElement {
    const trans = this.trans;
    const tile = el('figure', 'jp-EvalSamples-tile');
    tile.dataset.sample = String(sample.id);
    tile.dataset.kind = sample.kind;
    const image = el('img', 'jp-EvalSamples-thumb');
    image.alt = sample.name;
    image.title = trans.__('Zoom %1', sample.path);
    image.addEventListener('click', () => void this._zoom(sample));
    void evaluationApi
      .image(this.evaluationId, sample.id, true)
      .then(blob => {
        const url = URL.createObjectURL(blob);
        this._urls.push(url);
        image.src = url;
      })
      .catch(() => tile.classList.add('jp-mod-missing'));
    const check = el('input', 'jp-EvalSamples-check');
    check.type = 'checkbox';
    check.checked = this._chosen.has(sample.id);
    check.title = trans.__('Select for download');
    check.addEventListener('change', () => {
      if (check.checked) {
        this._chosen.add(sample.id);
      } else {
        this._chosen.delete(sample.id);
      }
      this._updateButtons();
    });
    const caption = el('figcaption', 'jp-EvalSamples-caption');
    caption.append(el('span', 'jp-EvalSamples-name', sample.name), this._labels(sample));
    tile.append(check, image, caption);
    return tile;
  }

  private _labels(sample: Sample): HTMLElement {
    const trans = this.trans;
    const line = el('span', 'jp-EvalSamples-labels');
    if (sample.kind === 'noncompliant') {
      line.textContent = trans.__('%1 · non-compliant: %2', sample.true_label, sample.reason ?? '');
      return line;
    }
    const confidence = sample.confidence === null ? '' : ` · ${percent(sample.confidence)}`;
    line.textContent = trans.__('true %1 → %2%3', sample.true_label, sample.predicted_label ?? '—', confidence);
    return line;
  }

  private async _zoom(sample: Sample): Promise<void> {
    const trans = this.trans;
    const body = el('div', 'jp-EvalZoom');
    const image = el('img', 'jp-EvalZoom-image');
    image.alt = sample.name;
    const facts = el('dl', 'jp-EvalZoom-facts');
    const rows: [string, string][] = [
      [trans.__('File'), sample.path],
      [trans.__('True class'), sample.true_label],
      [trans.__('Predicted'), sample.predicted_label ?? '—'],
      [trans.__('Confidence'), sample.confidence === null ? '—' : percent(sample.confidence)]
    ];
    if (sample.reason) {
      rows.push([trans.__('Non-compliant'), sample.reason]);
    }
    facts.append(...rows.flatMap(([label, value]) => [el('dt', '', label), el('dd', '', value)]));
    body.append(image, facts);
    let url: string | null = null;
    try {
      url = URL.createObjectURL(await evaluationApi.image(this.evaluationId, sample.id, false));
      image.src = url;
    } catch (error) {
      image.replaceWith(el('p', 'jp-EvalZoom-error', errorMessage(error)));
    }
    const result = await showDialog({
      title: sample.name,
      body: new Widget({ node: body }),
      buttons: [Dialog.cancelButton({ label: trans.__('Close') }), Dialog.okButton({ label: trans.__('Download') })]
    });
    if (url) {
      URL.revokeObjectURL(url);
    }
    if (result.button.accept) {
      download(evaluationApi.downloadUrl(this.evaluationId, [sample.id]));
    }
  }

  private _toggleSelectPage(): void {
    const all = this._page.every(sample => this._chosen.has(sample.id));
    for (const sample of this._page) {
      if (all) {
        this._chosen.delete(sample.id);
      } else {
        this._chosen.add(sample.id);
      }
    }
    this._grid.querySelectorAll<HTMLInputElement>('.jp-EvalSamples-check').forEach(check => {
      check.checked = !all;
    });
    this._updateButtons();
  }

  private _updateButtons(): void {
    const trans = this.trans;
    const chosen = this._chosen.size;
    this._download.textContent = chosen > 1 ? trans.__('Download %1 as zip', chosen) : trans.__('Download selected');
    this._download.disabled = chosen === 0;
    this._selectPage.disabled = this._page.length === 0;
    this._prev.disabled = this._offset <= 0;
    this._next.disabled = this._offset + this._page.length >= this._total;
  }

  private _revoke(): void {
    this._urls.forEach(url => URL.revokeObjectURL(url));
    this._urls = [];
  }

  private _selection: ISelection | null = null;
  private _page: Sample[] = [];
  private _offset = 0;
  private _total = 0;
  private _request = 0;
  private _urls: string[] = [];
  private readonly _chosen = new Set<number>();
  private _title: HTMLElement;
  private _kinds: HTMLElement;
  private _grid: HTMLElement;
  private _status: HTMLElement;
  private _selectPage: HTMLButtonElement;
  private _download: HTMLButtonElement;
  private _prev: HTMLButtonElement;
  private _next: HTMLButtonElement;
}
