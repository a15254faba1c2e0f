/** The "TensorBoard" section of the Platform panel: the running instances, to open or stop. */
import { refreshIcon, stopIcon } from '@jupyterlab/ui-components';

import { el, iconButton } from '../platform/dom';
import { errorMessage, formatTime } from '../platform/format';
import { KeyedList, setAttr, setText } from '../platform/keyed';
import { showError } from '../platform/notify';
import { WhileShownWidget } from '../platform/shown';
import { ITensorBoard, tensorboardApi } from './client';
import { isActive } from './states';
import { ITensorBoardUI } from './view';

const POLL_MS = 5000;

interface IRow {
  readonly node: HTMLLIElement;
  readonly times: HTMLSpanElement;
}

export interface ITensorBoardSectionUI extends ITensorBoardUI {
  open: (logdir: string) => void;
}

export class TensorBoardSection extends WhileShownWidget {
  constructor(private readonly ui: ITensorBoardSectionUI) {
    super();
    const trans = ui.trans;
    this.addClass('jp-TensorBoardSection');
    this.id = 'jlab-platform-tensorboard-section';
    const header = el('div', 'jp-PlatformPanel-top');
    const title = el('div', 'jp-PlatformPanel-title', trans.__('TensorBoard'));
    const actions = el('span', 'jp-TensorBoardSection-actions');
    actions.append(iconButton(refreshIcon, trans.__('Refresh'), 'refresh', () => void this.refresh()));
    header.append(title, actions);
    this._list = el('ul', 'jp-TensorBoardList');
    this._rows = new KeyedList(this._list, {
      key: instance => instance.id,
      create: instance => this._row(instance),
      update: (row, instance) => this._update(row, instance)
    });
    this._message = el('div', 'jp-TensorBoardSection-message');
    this.node.append(header, this._list, this._message);
  }

  async refresh(): Promise<void> {
    let instances: ITensorBoard[];
    try {
      instances = await tensorboardApi.list();
    } catch (error) {
      this._message.textContent = this.ui.trans.__('Cannot list TensorBoard instances: %1', errorMessage(error));
      return;
    }
    const running = instances.filter(item => isActive(item.status));
    this._rows.update(running);
    setText(
      this._message,
      running.length
        ? ''
        : this.ui.trans.__(
            'No TensorBoard running. Open one from a job, a folder in the file browser, or the launcher.'
          )
    );
  }

  protected readonly pollMs = POLL_MS;

  /** A row per instance id (its folder never changes); its status and times are updated in place. */
  private _row(instance: ITensorBoard): IRow {
    const trans = this.ui.trans;
    const folder = instance.logdir ? `${instance.logdir}/` : '/';
    const row = el('li', 'jp-TensorBoardRow');
    row.dataset.id = instance.id;
    row.dataset.logdir = instance.logdir;
    const open = el('button', 'jp-PlatformPanel-item jp-TensorBoardRow-open');
    open.type = 'button';
    open.title = trans.__('Open TensorBoard for %1', folder);
    open.addEventListener('click', () => this.ui.open(instance.logdir));
    const name = el('span', 'jp-TensorBoardRow-folder', folder);
    const times = el('span', 'jp-TensorBoardRow-times');
    open.append(name, times);
    const stop = iconButton(stopIcon, trans.__('Stop TensorBoard for %1', folder), 'stop', async () => {
      try {
        await tensorboardApi.stop(instance.id);
      } catch (error) {
        showError(error);
      }
      this.ui.changed();
    });
    row.append(open, stop);
    return { node: row, times };
  }

  private _update(row: IRow, instance: ITensorBoard): void {
    const trans = this.ui.trans;
    setAttr(row.node, 'data-status', instance.status);
    setText(
      row.times,
      instance.status === 'starting'
        ? trans.__('starting…')
        : trans.__('since %1 · last used %2', formatTime(instance.started_at), formatTime(instance.last_used_at))
    );
  }

  private _list: HTMLUListElement;
  private _rows: KeyedList<ITensorBoard, IRow>;
  private _message: HTMLDivElement;
}
