/**
 * "Label remaining": the owner labels the round's samples that still want labels (one a
 * labeler skipped, one nobody took), from the task view. Each label takes the labelers' path.
 */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { crowdApi } from './client';
import { el } from '../platform/dom';
import { errorMessage } from '../platform/format';
import { ICrowdRemaining, ICrowdRemainingSample } from './model';

class RemainingList extends Widget {
  constructor(
    private readonly trans: TranslationBundle,
    private readonly taskId: string
  ) {
    super();
    this.addClass('jp-CrowdRemaining');
    const names = el('label', 'jp-CrowdRemaining-names');
    const toggle = el('input');
    toggle.type = 'checkbox';
    toggle.name = 'show-names';
    // File names often give the class away: shown only on request.
    toggle.addEventListener('change', () => this.node.classList.toggle('jp-mod-showNames', toggle.checked));
    names.append(toggle, el('span', '', trans.__('Show file names')));
    this._summary = el('p', 'jp-CrowdRemaining-summary');
    this._summary.setAttribute('aria-live', 'polite');
    this._list = el('ul', 'jp-CrowdRemaining-list');
    this.node.append(this._summary, names, this._list);
    void this._load();
  }

  dispose(): void {
    for (const url of this._urls) {
      URL.revokeObjectURL(url);
    }
    super.dispose();
  }

  private async _load(): Promise<void> {
    const trans = this.trans;
    try {
      const left = await crowdApi.remaining(this.taskId);
      this._left = left.total;
      this._render(left);
    } catch (error) {
      this._summary.textContent = errorMessage(error);
      this._summary.classList.add('jp-CrowdError');
      return;
    }
    if (this._left === 0) {
      this._summary.textContent = trans.__('Every sample of this round has its labels.');
    }
  }

  private _render(left: ICrowdRemaining): void {
    const trans = this.trans;
    if (left.waiting) {
      this._summary.textContent = left.waiting;
      return;
    }
    this._round = left.round;
    this._updateSummary();
    this._list.replaceChildren(...left.samples.map(sample => this._row(sample, left.classes)));
    if (left.total > left.samples.length) {
      const shown = left.samples.length;
      const more = trans.__('The first %1 of %2 are shown; open this again for the rest.', shown, left.total);
      this._list.after(el('p', 'jp-CrowdNote', more));
    }
  }

  private _updateSummary(): void {
    const trans = this.trans;
    this._summary.textContent =
      this._left > 0
        ? trans.__('Round %1: %2 sample(s) still want labels. Click a class to label one.', this._round, this._left)
        : trans.__('Round %1 is complete: every sample has its labels.', this._round);
  }

  private _row(sample: ICrowdRemainingSample, classes: string[]): HTMLElement {
    const trans = this.trans;
    const row = el('li', 'jp-CrowdRemaining-sample');
    row.dataset.sample = sample.id;
    const image = el('img', 'jp-CrowdRemaining-image');
    image.alt = trans.__('Sample to label');
    void crowdApi
      .sampleImage(this.taskId, sample.id)
      .then(blob => {
        const url = URL.createObjectURL(blob);
        this._urls.push(url);
        image.src = url;
      })
      .catch(() => (image.alt = trans.__('The image cannot be loaded')));
    const facts = [trans.__('%1 of %2 label(s)', sample.labels, sample.wanted)];
    if (sample.skipped) {
      facts.push(trans.__('skipped by %1 labeler(s)', sample.skipped));
    }
    if (sample.held) {
      facts.push(trans.__('on a labeler’s page now'));
    }
    const info = el('div', 'jp-CrowdRemaining-info');
    info.append(
      el('span', 'jp-CrowdRemaining-name', sample.name),
      el('span', 'jp-CrowdNote jp-CrowdRemaining-counts', facts.join(' · '))
    );
    const buttons = el('div', 'jp-CrowdRemaining-classes');
    const status = el('div', 'jp-CrowdRemaining-status');
    status.setAttribute('role', 'status');
    if (sample.mine) {
      status.textContent = trans.__('You labeled it; it waits for another labeler.');
    } else {
      for (const name of classes) {
        const button = el('button', 'jp-Button jp-mod-styled jp-mod-reject jp-CrowdButton', name);
        button.type = 'button';
        button.dataset.label = name;
        button.addEventListener('click', () => void this._label(sample, name, row, status));
        buttons.append(button);
      }
    }
    info.append(buttons, status);
    row.append(image, info);
    return row;
  }

  private async _label(
    sample: ICrowdRemainingSample,
    label: string,
    row: HTMLElement,
    status: HTMLElement
  ): Promise<void> {
    const trans = this.trans;
    const all = Array.from(row.querySelectorAll('button'));
    all.forEach(button => (button.disabled = true));
    status.classList.remove('jp-CrowdError');
    try {
      const answer = await crowdApi.labelRemaining(this.taskId, sample.id, label, this._requestId(sample.id, label));
      status.textContent = trans.__('Labeled “%1”', label);
      row.classList.add('jp-mod-labeled');
      const counts = row.querySelector('.jp-CrowdRemaining-counts');
      if (counts) {
        counts.textContent = trans.__('%1 of %2 label(s)', sample.labels + 1, sample.wanted);
      }
      if (answer.progress.round_complete) {
        this._left = 0;
      } else if (!answer.duplicate && sample.labels + 1 >= sample.wanted) {
        this._left -= 1;
      }
      this._updateSummary();
    } catch (error) {
      status.textContent = errorMessage(error);
      status.classList.add('jp-CrowdError');
      all.forEach(button => (button.disabled = false));
    }
  }

  /** One id per sample and class: a click sent again (a network retry) is not counted twice. */
  private _requestId(sampleId: string, label: string): string {
    const key = `${sampleId}\u0000${label}`;
    let id = this._requests.get(key);
    if (!id) {
      id = Array.from(crypto.getRandomValues(new Uint8Array(16)), b => b.toString(16).padStart(2, '0')).join('');
      this._requests.set(key, id);
    }
    return id;
  }

  private _summary: HTMLParagraphElement;
  private _list: HTMLUListElement;
  private _round = 0;
  private _left = 0;
  private _urls: string[] = [];
  private _requests = new Map<string, string>();
}

/** Show the round's remaining samples for the owner to label; resolves when the dialog closes. */
export async function labelRemaining(trans: TranslationBundle, taskId: string, taskName: string): Promise<void> {
  await showDialog({
    title: trans.__('Label the remaining samples of “%1”', taskName),
    body: new RemainingList(trans, taskId),
    buttons: [Dialog.okButton({ label: trans.__('Done') })]
  });
}
