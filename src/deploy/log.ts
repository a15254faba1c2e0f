/** The log tab of a deployment: its service's output, followed while shown, downloadable whole. */
import { MainAreaWidget } from '@jupyterlab/apputils';

import { el } from '../platform/dom';
import { errorMessage, formatBytes } from '../platform/format';
import { setText } from '../platform/keyed';
import { WhileShownWidget } from '../platform/shown';
import { IDeployUI } from './actions';
import { deployApi } from './client';
import { deployIcon } from './icons';

const POLL_MS = 2000;
/** The tail shown first, and the most text the tab keeps (older lines are dropped, the download has them). */
const TAIL_BYTES = 256 * 1024;
const MAX_CHARS = 1024 * 1024;

export class DeployLogView extends WhileShownWidget {
  constructor(
    ui: IDeployUI,
    readonly deploymentName: string
  ) {
    super();
    const trans = ui.trans;
    this.addClass('jp-DeployLog');
    const header = el('div', 'jp-DeployLog-header');
    this._size = el('span', 'jp-DeployLog-size');
    const download = el('a', 'jp-DeployLog-download', trans.__('Download'));
    download.href = deployApi.logDownloadUrl(deploymentName);
    download.setAttribute('download', '');
    download.title = trans.__('Download the whole log as a text file');
    header.append(el('span', 'jp-DeployLog-title', trans.__('Log of %1', deploymentName)), this._size, download);
    this._text = el('pre', 'jp-DeployLog-text');
    this._scroller = el('div', 'jp-DeployLog-scroller');
    this._scroller.append(this._text);
    this.node.append(header, this._scroller);
  }

  async refresh(): Promise<void> {
    let chunk;
    try {
      chunk = await deployApi.log(this.deploymentName, this._offset);
    } catch (error) {
      setText(this._size, errorMessage(error));
      return;
    }
    if (this.isDisposed) {
      return;
    }
    if (chunk.next_offset < this._offset) {
      // A new deployment of the name (rollback, start) writes a new log: start over.
      this._text.textContent = '';
    }
    this._offset = chunk.next_offset;
    if (chunk.data) {
      const atEnd = this._scroller.scrollHeight - this._scroller.scrollTop - this._scroller.clientHeight < 8;
      const text = (this._text.textContent ?? '') + chunk.data;
      this._text.textContent = text.length > MAX_CHARS ? text.slice(text.length - MAX_CHARS) : text;
      if (atEnd) {
        this._scroller.scrollTop = this._scroller.scrollHeight;
      }
    }
    setText(this._size, formatBytes(chunk.size));
  }

  protected readonly pollMs = POLL_MS;

  /** The first read starts at the tail (a negative offset counts from the end). */
  private _offset = -TAIL_BYTES;
  private _size: HTMLSpanElement;
  private _text: HTMLPreElement;
  private _scroller: HTMLDivElement;
}

export function createLogWidget(ui: IDeployUI, name: string): MainAreaWidget<DeployLogView> {
  const content = new DeployLogView(ui, name);
  const widget = new MainAreaWidget({ content, translator: ui.translator });
  widget.id = `jlab-platform-deploy-log-${name}`;
  widget.addClass('jp-DeployLogPanel');
  widget.title.icon = deployIcon;
  widget.title.label = ui.trans.__('Log: %1', name);
  widget.title.closable = true;
  return widget;
}
