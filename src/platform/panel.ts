/** The left sidebar "Platform" panel: server facts on top, one section per capability below. */
import { TranslationBundle } from '@jupyterlab/translation';
import { Panel, Widget } from '@lumino/widgets';

import { platformApi } from './client';
import { frameworkLabel, gpuLabel, IPlatformInfo } from './format';
import { platformIcon } from '../icons';
import { el } from './dom';
import { unavailableReason } from './unavailable';

export const PLATFORM_PANEL_ID = 'jlab-platform-panel';

/** The header: version, GPUs and frameworks the server detected, with a refresh button. */
export class InfoHeader extends Widget {
  constructor(private readonly trans: TranslationBundle) {
    super();
    this.addClass('jp-PlatformPanel-header');
    this._title = el('div', 'jp-PlatformPanel-title', trans.__('Platform'));
    this._refresh = el('button', 'jp-Button jp-mod-minimal jp-PlatformPanel-refresh', trans.__('Refresh'));
    this._refresh.title = trans.__('Detect GPUs and frameworks again');
    this._refresh.addEventListener('click', () => void this.refresh(true));
    const top = el('div', 'jp-PlatformPanel-top');
    top.append(this._title, this._refresh);
    this._body = el('div', 'jp-PlatformPanel-info');
    this.node.append(top, this._body);
  }

  get info(): IPlatformInfo | null {
    return this._info;
  }

  /** Show `info` (from the version handshake) without asking the server again. */
  setInfo(info: IPlatformInfo): void {
    this._info = info;
    this._render();
  }

  async refresh(detectAgain = false): Promise<void> {
    this._refresh.disabled = true;
    this._body.textContent = this.trans.__('Asking the server…');
    try {
      this.setInfo(detectAgain ? await platformApi.refresh() : await platformApi.info());
    } catch (error) {
      this._info = null;
      this._body.replaceChildren(
        row(
          this.trans.__('Error'),
          unavailableReason(error) ?? this.trans.__('Cannot reach the platform server: %1', String(error))
        )
      );
      this._body.firstElementChild?.classList.add('jp-PlatformPanel-error');
    } finally {
      this._refresh.disabled = false;
    }
  }

  private _render(): void {
    const info = this._info;
    if (!info) {
      return;
    }
    const trans = this.trans;
    const missing = trans.__('not installed');
    this._body.replaceChildren(
      row(trans.__('Version'), info.version, 'version'),
      row(trans.__('GPUs'), gpuLabel(info), 'gpus'),
      row('PyTorch', frameworkLabel(info.torch) ?? missing, 'torch'),
      row('TensorFlow', frameworkLabel(info.tensorflow) ?? missing, 'tensorflow'),
      row('git', frameworkLabel(info.git) ?? missing, 'git'),
      row(trans.__('Results'), `${info.results_dir}/`, 'results')
    );
  }

  private _info: IPlatformInfo | null = null;
  private _title: HTMLDivElement;
  private _refresh: HTMLButtonElement;
  private _body: HTMLDivElement;
}

/** The sidebar panel; capabilities add their sections with `addSection`. */
export class PlatformPanel extends Panel {
  readonly header: InfoHeader;

  constructor(trans: TranslationBundle) {
    super();
    this.id = PLATFORM_PANEL_ID;
    this.addClass('jp-PlatformPanel');
    this.title.icon = platformIcon;
    this.title.caption = trans.__('Platform');
    this.header = new InfoHeader(trans);
    this.addWidget(this.header);
  }

  addSection(section: Widget): void {
    section.addClass('jp-PlatformPanel-section');
    this.addWidget(section);
  }
}

function row(label: string, value: string, key?: string): HTMLElement {
  const item = el('div', 'jp-PlatformPanel-row');
  if (key) {
    item.dataset.key = key;
  }
  item.append(el('span', 'jp-PlatformPanel-label', label), el('span', 'jp-PlatformPanel-value', value));
  return item;
}
