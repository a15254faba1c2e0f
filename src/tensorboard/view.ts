/**
 * TensorBoard in a main-area tab: the proxied page in an iframe, with Reload, Stop and
 * "Open in a browser tab" in its toolbar, and a clear message instead of the page when the
 * instance could not start or is no longer running.
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import { ServerConnection } from '@jupyterlab/services';
import type { ITranslator, TranslationBundle } from '@jupyterlab/translation';
import { launchIcon, refreshIcon, stopIcon } from '@jupyterlab/ui-components';

import { actionToolbarButton, el } from '../platform/dom';
import { errorMessage } from '../platform/format';
import { WhileShownWidget } from '../platform/shown';
import { ITensorBoard, tensorboardApi } from './client';
import { tensorboardIcon } from './icons';
import { folderName, normalizeFolder, pageUrl } from './model';

/** While the page shows, how often the tab checks that its instance was not stopped elsewhere. */
const WATCH_MS = 10000;
/** Tab ids are numbered: they stay valid DOM ids whatever the folder is called. */
let tabCount = 0;

export interface ITensorBoardUI {
  trans: TranslationBundle;
  /** For JupyterLab's own words around the view (the tab's screen-reader labels). */
  translator: ITranslator;
  /** An instance was started or stopped here: the lists refresh. */
  changed: () => void;
  /** Whether JupyterLab's theme is dark (the page follows it). */
  isDark: () => boolean;
}

/** starting: asking the server; running: the page shows; failed: could not start; stopped: not running. */
export type ViewState = 'starting' | 'running' | 'failed' | 'stopped';

export class TensorBoardView extends WhileShownWidget {
  /** The folder, normalized: one tab per folder. */
  readonly logdir: string;

  constructor(
    private readonly ui: ITensorBoardUI,
    logdir: string
  ) {
    super();
    this.logdir = normalizeFolder(logdir);
    this.addClass('jp-TensorBoardView');
    this._text = el('p', 'jp-TensorBoardView-text');
    this._action = el('button', 'jp-Button jp-mod-styled jp-mod-accept jp-TensorBoardView-start');
    this._action.type = 'button';
    this._action.addEventListener('click', () => void this.start());
    this._message = el('div', 'jp-TensorBoardView-message');
    this._message.append(this._text, this._action);
    // The class lets JupyterLab's rule cover the iframe while panels are dragged.
    this._frame = el('div', 'jp-IFrame jp-TensorBoardView-frame');
    this._iframe = el('iframe');
    this._iframe.title = ui.trans.__('TensorBoard for %1', this.logdir || '/');
    this._frame.append(this._iframe);
    this.node.append(this._message, this._frame);
    this._show('starting');
  }

  get state(): ViewState {
    return this._state;
  }

  get instance(): ITensorBoard | null {
    return this._instance;
  }

  /** The page's address in the browser, or null while none runs. */
  get pageUrl(): string | null {
    return this._instance && this._state === 'running' ? this._url(this._instance) : null;
  }

  /** Load the page again when JupyterLab's theme turned from light to dark or back. */
  followTheme(): void {
    const url = this.pageUrl;
    if (url !== null && this._iframe.getAttribute('src') !== url) {
      this._iframe.src = url;
    }
  }

  /** Called whenever the state changes (the toolbar follows it). */
  onState: ((state: ViewState) => void) | null = null;

  /** Start (or reuse) the instance and show its page; `reload` loads the page again when it already shows. */
  async start(reload = false): Promise<void> {
    if (this._starting) {
      return;
    }
    this._starting = true;
    this._show('starting', this.ui.trans.__('Starting TensorBoard for %1…', this._folderLabel()));
    try {
      // The server answers once TensorBoard serves, or with why it could not start.
      const instance = await tensorboardApi.start(this.logdir);
      if (this.isDisposed) {
        return;
      }
      this._instance = instance;
      this.ui.changed();
      const url = this._url(instance);
      if (this._iframe.getAttribute('src') !== url) {
        this._iframe.src = url;
      } else if (reload) {
        this._iframe.contentWindow?.location.reload();
      }
      this._show('running');
    } catch (error) {
      this._fail(errorMessage(error));
    } finally {
      this._starting = false;
    }
  }

  async stop(): Promise<void> {
    const instance = this._instance;
    if (!instance) {
      return;
    }
    try {
      await tensorboardApi.stop(instance.id);
    } catch (error) {
      // Already gone (idle stop, another tab): it is stopped all the same.
      if ((error as { status?: number }).status !== 404) {
        this._fail(errorMessage(error));
        return;
      }
    }
    this._stopped(this.ui.trans.__('TensorBoard for %1 is stopped.', this._folderLabel()));
    this.ui.changed();
  }

  /**
   * Say so when the instance was stopped from elsewhere (the Platform panel, another tab): the
   * server forgets it and its url answers 404. One stopped after its idle time stays listed and
   * starts again on the page's next request, so the page stays.
   */
  async refresh(): Promise<void> {
    const instance = this._instance;
    if (!instance || this._state !== 'running') {
      return;
    }
    let instances: ITensorBoard[];
    try {
      instances = await tensorboardApi.list();
    } catch {
      return; // The page says itself when the server is gone; the next round asks again.
    }
    const known = instances.some(item => item.id === instance.id);
    if (!known && this._state === 'running' && this._instance === instance) {
      this._stopped(this.ui.trans.__('TensorBoard for %1 was stopped.', this._folderLabel()));
    }
  }

  protected readonly pollMs = WATCH_MS;

  private _fail(reason: string): void {
    this._show('failed', this.ui.trans.__('TensorBoard could not start for %1: %2', this._folderLabel(), reason));
    this._action.textContent = this.ui.trans.__('Try Again');
  }

  private _stopped(text: string): void {
    this._iframe.removeAttribute('src');
    this._show('stopped', text);
    this._action.textContent = this.ui.trans.__('Start Again');
  }

  private _show(state: ViewState, text = ''): void {
    this._state = state;
    this.node.dataset.state = state;
    this._text.textContent = text;
    this._message.hidden = state === 'running';
    this._message.classList.toggle('jp-mod-error', state === 'failed');
    this._action.hidden = state === 'starting';
    this._frame.hidden = state !== 'running';
    this.onState?.(state);
  }

  private _url(instance: ITensorBoard): string {
    return pageUrl(ServerConnection.makeSettings().baseUrl, instance.url, this.ui.isDark());
  }

  private _folderLabel(): string {
    return this.logdir ? `${this.logdir}/` : '/';
  }

  private _state: ViewState = 'starting';
  private _instance: ITensorBoard | null = null;
  private _starting = false;
  private _text: HTMLParagraphElement;
  private _action: HTMLButtonElement;
  private _message: HTMLDivElement;
  private _frame: HTMLDivElement;
  private _iframe: HTMLIFrameElement;
}

/** The view in a main-area tab titled with its folder, with Reload, Stop and Open in a browser tab. */
export function createTensorBoardWidget(ui: ITensorBoardUI, logdir: string): MainAreaWidget<TensorBoardView> {
  const trans = ui.trans;
  const content = new TensorBoardView(ui, logdir);
  const widget = new MainAreaWidget({ content, translator: ui.translator });
  widget.id = `jlab-platform-tensorboard-${++tabCount}`;
  widget.addClass('jp-TensorBoardPanel');
  widget.title.icon = tensorboardIcon;
  widget.title.label = folderName(content.logdir);
  widget.title.caption = trans.__('TensorBoard: %1', content.logdir || '/');
  widget.title.closable = true;

  const reload = actionToolbarButton({
    icon: refreshIcon,
    label: trans.__('Reload'),
    tooltip: trans.__('Start TensorBoard again if it stopped, and reload its page'),
    className: 'jp-TensorBoardView-reload',
    onClick: () => void content.start(true)
  });
  const stop = actionToolbarButton({
    icon: stopIcon,
    label: trans.__('Stop'),
    tooltip: trans.__('Stop this TensorBoard (the log folder is kept)'),
    className: 'jp-TensorBoardView-stop',
    onClick: () => void content.stop()
  });
  const browserTab = actionToolbarButton({
    icon: launchIcon,
    tooltip: trans.__('Open this TensorBoard in a new browser tab'),
    className: 'jp-TensorBoardView-browser-tab',
    onClick: () => {
      const url = content.pageUrl;
      if (url) {
        window.open(url, '_blank', 'noopener');
      }
    }
  });
  widget.toolbar.addItem('reload', reload);
  widget.toolbar.addItem('stop', stop);
  widget.toolbar.addItem('browser-tab', browserTab);
  content.onState = state => {
    stop.setHidden(state !== 'running');
    browserTab.setHidden(state !== 'running');
  };
  content.onState(content.state);
  return widget;
}
