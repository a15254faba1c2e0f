/** The "Captures" section of the Platform panel: captured outputs, with Restore and Delete. */
import { deleteIcon, refreshIcon } from '@jupyterlab/ui-components';

import { captureApi, ICapture } from './client';
import { el, iconButton } from '../platform/dom';
import { WhileShownWidget } from '../platform/shown';
import { errorMessage, formatBytes, formatTime } from '../platform/format';
import { CaptureActions } from './actions';
import { restoreIcon } from './icons';
import { stateClass, stateLabel } from './states';

const POLL_MS = 3000;
const PAGE = 100;

function captureRow(ui: CaptureActions, capture: ICapture): HTMLLIElement {
  const trans = ui.trans;
  const row = el('li', 'jp-CaptureRow');
  row.dataset.name = capture.name;
  row.dataset.state = capture.state;

  const state = el('span', stateClass(capture.state), stateLabel(trans, capture.state));
  state.title = capture.reason ?? state.textContent ?? '';
  const name = el('span', 'jp-CaptureRow-name', capture.name);
  name.title = capture.name;
  const top = el('div', 'jp-CaptureRow-line');
  top.append(name, state);

  const where = el('div', 'jp-CaptureRow-where');
  where.textContent = capture.notebook ?? trans.__('(no notebook)');
  where.title = capture.source;
  const times = el('div', 'jp-CaptureRow-times');
  times.textContent = capture.finished_at
    ? trans.__(
        '%1 – %2 · %3',
        formatTime(capture.started_at),
        formatTime(capture.finished_at),
        formatBytes(capture.size)
      )
    : trans.__(
        'started %1, last output %2 · %3',
        formatTime(capture.started_at),
        formatTime(capture.updated_at),
        formatBytes(capture.size)
      );

  const actions = el('div', 'jp-CaptureRow-actions');
  actions.append(
    iconButton(restoreIcon, trans.__('Restore below its cell and run'), 'restore', () => void ui.restore(capture))
  );
  if (capture.state !== 'running') {
    actions.append(iconButton(deleteIcon, trans.__('Delete'), 'delete', () => void ui.remove(capture)));
  }
  const main = el('div', 'jp-CaptureRow-main');
  main.append(top, where, times);
  if (capture.reason && capture.state === 'incomplete') {
    main.append(el('div', 'jp-CaptureRow-reason', capture.reason));
  }
  row.append(main, actions);
  return row;
}

export class CapturesSection extends WhileShownWidget {
  constructor(private readonly ui: CaptureActions) {
    super();
    const trans = ui.trans;
    this.id = 'jlab-platform-captures';
    this.addClass('jp-CapturesSection');
    const top = el('div', 'jp-PlatformPanel-top');
    top.append(
      el('div', 'jp-PlatformPanel-title', trans.__('Captures')),
      iconButton(refreshIcon, trans.__('Refresh'), 'refresh', () => void this.refresh())
    );
    this._message = el('div', 'jp-CapturesSection-message', trans.__('Loading captures…'));
    this._list = el('ul', 'jp-CapturesSection-list');
    this.node.append(top, this._message, this._list);
    ui.changed.connect(() => void this.refresh(), this);
  }

  async refresh(): Promise<void> {
    const trans = this.ui.trans;
    let page;
    try {
      page = await captureApi.list({ limit: PAGE });
    } catch (error) {
      this._message.textContent = trans.__('Cannot list captures: %1', errorMessage(error));
      this._message.classList.add('jp-mod-error');
      return;
    }
    this._message.classList.remove('jp-mod-error');
    const shown = JSON.stringify(page.captures);
    if (shown !== this._shown) {
      // Rebuilt only when something changed, so a poll never takes a button from under the pointer.
      this._shown = shown;
      this._list.replaceChildren(...page.captures.map(capture => captureRow(this.ui, capture)));
    }
    if (!page.captures.length) {
      this._message.textContent = trans.__(
        'No captured output yet. In a notebook: Capture Output on a cell, then run it.'
      );
    } else {
      this._message.textContent =
        page.total > page.captures.length
          ? trans.__('Showing the newest %1 of %2', page.captures.length, page.total)
          : '';
    }
  }

  protected readonly pollMs = POLL_MS;

  private _message: HTMLDivElement;
  private _list: HTMLUListElement;
  private _shown = '';
}
