/**
 * The "Try it" tab of a deployment: a form made from its inputs (an image dropped or picked, text,
 * numbers), sent to the service through the server's proxy (Jupyter's login, no key), the answer
 * (top classes as bars, JSON otherwise) with its latency, and the same call as curl and Python.
 */
import { Clipboard, MainAreaWidget } from '@jupyterlab/apputils';
import { copyIcon } from '@jupyterlab/ui-components';

import { el, iconButton } from '../platform/dom';
import { errorMessage, formatBytes } from '../platform/format';
import { setAttr, setText } from '../platform/keyed';
import { WhileShownWidget } from '../platform/shown';
import { IDeployUI } from './actions';
import { callService, deployApi, IDeployment, IIOField, IServiceAnswer } from './client';
import { deployIcon } from './icons';
import {
  curlSnippet,
  fieldKind,
  IScore,
  KEY_VARIABLE,
  pythonSnippet,
  shortCommit,
  shortenForSnippet,
  topClasses
} from './model';
import { isSettling, statusClass, statusLabel } from './states';

const POLL_MS = 3000;
const SETTLING_POLL_MS = 1000;
/** The service refuses larger images (4 MiB decoded): say so before sending. */
const MAX_IMAGE_BYTES = 4 * 1024 * 1024;
const PREDICT_ROUTE = 'predict';

/** One input of the form: how to read its value, or why it has none. */
interface IInput {
  readonly name: string;
  readonly kind: ReturnType<typeof fieldKind>;
  /** The value to send; throws an Error that says what to fix. */
  value(): unknown;
}

/** A file read as base64 without its `data:` prefix. */
function readBase64(file: Blob): Promise<string> {
  return new Promise((resolve, reject) => {
    const reader = new FileReader();
    reader.onload = () => resolve(String(reader.result).replace(/^data:[^,]*,/, ''));
    reader.onerror = () => reject(reader.error);
    reader.readAsDataURL(file);
  });
}

export class TryItView extends WhileShownWidget {
  constructor(
    private readonly ui: IDeployUI,
    readonly deploymentName: string
  ) {
    super();
    const trans = ui.trans;
    this.addClass('jp-DeployTry');
    const header = el('header', 'jp-DeployTry-header');
    const title = el('div', 'jp-DeployTry-title');
    this._status = el('span', 'jp-DeployStatus');
    title.append(el('h2', 'jp-DeployTry-name', deploymentName), this._status);
    this._facts = el('div', 'jp-DeployTry-facts');
    this._notice = el('div', 'jp-DeployTry-notice');
    header.append(title, this._facts, this._notice);

    this._form = el('form', 'jp-DeployTry-form');
    this._form.addEventListener('submit', event => {
      event.preventDefault();
      void this._send();
    });
    this._fields = el('div', 'jp-DeployTry-fields');
    this._sendButton = el('button', 'jp-Button jp-mod-styled jp-mod-accept jp-DeployTry-send', trans.__('Send'));
    this._sendButton.type = 'submit';
    this._form.append(this._fields, this._sendButton);

    this._answer = el('section', 'jp-DeployTry-answer');
    this._answer.hidden = true;
    this._snippets = el('section', 'jp-DeployTry-snippets');

    const left = el('div', 'jp-DeployTry-left');
    left.append(this._form, this._answer);
    const body = el('div', 'jp-DeployTry-body');
    body.append(left, this._snippets);
    this.node.append(header, body);
  }

  get deployment(): IDeployment | null {
    return this._deployment;
  }

  async refresh(): Promise<void> {
    const trans = this.ui.trans;
    let deployment: IDeployment;
    try {
      deployment = await deployApi.get(this.deploymentName);
    } catch (error) {
      setText(this._notice, errorMessage(error));
      this._notice.classList.add('jp-mod-error');
      return;
    }
    if (this.isDisposed) {
      return;
    }
    const changed = this._deployment?.id !== deployment.id;
    this._deployment = deployment;
    setAttr(this.node, 'data-status', deployment.status);
    setText(this._status, statusLabel(trans, deployment.status));
    setAttr(this._status, 'class', `jp-DeployStatus ${statusClass(deployment.status)}`);
    this._notice.classList.toggle('jp-mod-error', deployment.status === 'failed');
    setText(this._notice, this._noticeText(deployment));
    this._sendButton.disabled = deployment.status !== 'ready';
    if (changed) {
      // A new deployment of the name (rollback) may take other inputs.
      this._renderFacts(deployment);
      this._renderForm(deployment.inputs);
      this._renderSnippets();
    }
  }

  /** Faster while the deployment starts: the form unlocks as soon as it is ready. */
  protected get pollMs(): number {
    return this._deployment && isSettling(this._deployment.status) ? SETTLING_POLL_MS : POLL_MS;
  }

  private _noticeText(deployment: IDeployment): string {
    const trans = this.ui.trans;
    switch (deployment.status) {
      case 'starting':
        return trans.__('Starting: loading the model…');
      case 'ready':
        return '';
      case 'failed':
        return trans.__('It failed: %1 (see its log).', deployment.reason ?? trans.__('no reason given'));
      case 'stopped':
        return trans.__('It is stopped: start it from the Deployments section to try it.');
    }
  }

  private _renderFacts(deployment: IDeployment): void {
    const trans = this.ui.trans;
    const commit = shortCommit(deployment.commit);
    const facts: [string, string, string][] = [
      [trans.__('Source'), deployment.model_version ?? deployment.source, 'source'],
      [
        trans.__('Commit'),
        commit === null ? trans.__('none') : deployment.uncommitted ? trans.__('%1 (uncommitted)', commit) : commit,
        'commit'
      ],
      [trans.__('URL'), deployment.url, 'url']
    ];
    if (deployment.description) {
      facts.unshift([trans.__('Description'), deployment.description, 'description']);
    }
    this._facts.replaceChildren(
      ...facts.map(([label, value, key]) => {
        const fact = el('span', 'jp-DeployTry-fact');
        fact.dataset.key = key;
        fact.append(el('span', 'jp-DeployTry-label', label), el('span', 'jp-DeployTry-value', value));
        return fact;
      })
    );
  }

  /** A control per input; without declared inputs, the JSON body itself. */
  private _renderForm(fields: IIOField[]): void {
    const trans = this.ui.trans;
    const declared: IIOField[] = fields.length
      ? fields
      : [{ name: '', type: 'json', help: trans.__('The JSON body of the request') }];
    this._inputs = declared.map(item => this._input(item));
    this._fields.replaceChildren(...this._inputs.map(input => input.node));
  }

  private _input(item: IIOField): IInput & { node: HTMLElement } {
    const trans = this.ui.trans;
    const kind = fieldKind(item.type);
    const row = el('div', 'jp-DeployTry-field');
    row.dataset.input = item.name;
    row.dataset.kind = kind;
    const label = el('label', 'jp-DeployTry-label', item.name || trans.__('Body'));
    const typeMark = el('span', 'jp-DeployTry-type', item.type);
    label.append(typeMark);
    row.append(label);
    if (item.help) {
      row.append(el('div', 'jp-DeployTry-help', item.help));
    }
    const base = { name: item.name, kind, node: row };
    switch (kind) {
      case 'image':
        return { ...base, value: this._imageInput(row, item.name) };
      case 'bool': {
        const box = el('input', 'jp-DeployTry-bool');
        box.type = 'checkbox';
        row.append(box);
        return { ...base, value: () => box.checked };
      }
      case 'integer':
      case 'number': {
        const input = el('input', 'jp-mod-styled jp-DeployTry-input');
        input.type = 'number';
        input.step = kind === 'integer' ? '1' : 'any';
        row.append(input);
        return {
          ...base,
          value: () => {
            const value = Number(input.value);
            if (input.value.trim() === '' || !Number.isFinite(value)) {
              throw new Error(trans.__('Give %1 a number.', item.name));
            }
            if (kind === 'integer' && !Number.isInteger(value)) {
              throw new Error(trans.__('Give %1 a whole number.', item.name));
            }
            return value;
          }
        };
      }
      case 'text': {
        const input = el('input', 'jp-mod-styled jp-DeployTry-input');
        row.append(input);
        return { ...base, value: () => input.value };
      }
      case 'json': {
        const area = el('textarea', 'jp-mod-styled jp-DeployTry-json');
        area.rows = 4;
        area.spellcheck = false;
        area.placeholder = item.name ? '[1, 2, 3]' : '{"x": 1}';
        row.append(area);
        return {
          ...base,
          value: () => {
            try {
              return JSON.parse(area.value);
            } catch (error) {
              throw new Error(trans.__('%1 is not valid JSON: %2', item.name || trans.__('Body'), errorMessage(error)));
            }
          }
        };
      }
    }
  }

  /** A drop zone that also opens the file picker; the value is the image's base64. */
  private _imageInput(row: HTMLElement, name: string): () => string {
    const trans = this.ui.trans;
    const zone = el('label', 'jp-DeployTry-drop');
    const file = el('input', 'jp-DeployTry-file');
    file.type = 'file';
    file.accept = 'image/*';
    const preview = el('img', 'jp-DeployTry-preview');
    preview.alt = '';
    preview.hidden = true;
    const text = el('span', 'jp-DeployTry-dropText', trans.__('Drop an image here or click to choose one'));
    zone.append(file, preview, text);
    row.append(zone);
    let data: string | null = null;
    let url: string | null = null;
    const take = async (picked: File | undefined): Promise<void> => {
      if (!picked) {
        return;
      }
      if (picked.size > MAX_IMAGE_BYTES) {
        text.textContent = trans.__(
          '%1 is %2: the service takes images up to %3.',
          picked.name,
          formatBytes(picked.size),
          formatBytes(MAX_IMAGE_BYTES)
        );
        data = null;
        return;
      }
      data = await readBase64(picked);
      if (url) {
        URL.revokeObjectURL(url);
      }
      url = URL.createObjectURL(picked);
      preview.src = url;
      preview.hidden = false;
      text.textContent = trans.__('%1 (%2) — drop or click to change', picked.name, formatBytes(picked.size));
      this._renderSnippets();
    };
    file.addEventListener('change', () => void take(file.files?.[0]));
    zone.addEventListener('dragover', event => {
      event.preventDefault();
      zone.classList.add('jp-mod-dropping');
    });
    zone.addEventListener('dragleave', () => zone.classList.remove('jp-mod-dropping'));
    zone.addEventListener('drop', event => {
      event.preventDefault();
      zone.classList.remove('jp-mod-dropping');
      void take(event.dataTransfer?.files[0]);
    });
    return () => {
      if (data === null) {
        throw new Error(trans.__('Choose an image for %1.', name));
      }
      return data;
    };
  }

  /** The request body from the form; throws what to fix. */
  private _body(): unknown {
    if (this._inputs.length === 1 && this._inputs[0].name === '') {
      return this._inputs[0].value();
    }
    const body: Record<string, unknown> = {};
    for (const input of this._inputs) {
      body[input.name] = input.value();
    }
    return body;
  }

  private async _send(): Promise<void> {
    const deployment = this._deployment;
    if (!deployment) {
      return;
    }
    const trans = this.ui.trans;
    let body: unknown;
    try {
      body = this._body();
    } catch (error) {
      this._showProblem(errorMessage(error));
      return;
    }
    this._sendButton.disabled = true;
    this._answer.hidden = false;
    setAttr(this._answer, 'data-state', 'sending');
    this._answer.replaceChildren(el('div', 'jp-DeployTry-waiting', trans.__('Sending…')));
    try {
      this._showAnswer(await callService(deployment.proxy_url, PREDICT_ROUTE, body));
    } catch (error) {
      this._showProblem(errorMessage(error));
    } finally {
      this._sendButton.disabled = this._deployment?.status !== 'ready';
    }
    this._renderSnippets();
  }

  private _showProblem(text: string): void {
    this._answer.hidden = false;
    setAttr(this._answer, 'data-state', 'error');
    this._answer.replaceChildren(el('div', 'jp-DeployTry-problem', text));
  }

  private _showAnswer(answer: IServiceAnswer): void {
    const trans = this.ui.trans;
    const ok = answer.status >= 200 && answer.status < 300;
    setAttr(this._answer, 'data-state', ok ? 'answered' : 'error');
    const top = el('div', 'jp-DeployTry-answerTop');
    top.append(
      el('span', 'jp-DeployTry-answerTitle', trans.__('Answer')),
      el('span', `jp-DeployTry-http ${ok ? '' : 'jp-mod-error'}`, `HTTP ${answer.status}`),
      el('span', 'jp-DeployTry-latency', trans.__('%1 ms', answer.ms.toFixed(0)))
    );
    const parts: HTMLElement[] = [top];
    const scores = ok ? topClasses(answer.body) : null;
    if (scores) {
      parts.push(this._bars(scores));
    }
    const json = el('pre', 'jp-DeployTry-jsonAnswer', JSON.stringify(answer.body, null, 2));
    if (scores) {
      const details = el('details', 'jp-DeployTry-raw');
      details.append(el('summary', '', trans.__('Raw answer')), json);
      parts.push(details);
    } else {
      parts.push(json);
    }
    this._answer.replaceChildren(...parts);
  }

  /** The top classes as bars, most likely first. */
  private _bars(scores: IScore[]): HTMLElement {
    const list = el('ol', 'jp-DeployTry-bars');
    for (const { label, score } of scores) {
      const item = el('li', 'jp-DeployTry-bar');
      item.dataset.label = label;
      const fill = el('span', 'jp-DeployTry-barFill');
      fill.style.width = `${(score * 100).toFixed(1)}%`;
      const track = el('span', 'jp-DeployTry-barTrack');
      track.append(fill);
      item.append(
        el('span', 'jp-DeployTry-barLabel', label),
        track,
        el('span', 'jp-DeployTry-barValue', `${(score * 100).toFixed(1)} %`)
      );
      list.append(item);
    }
    return list;
  }

  /** curl and Python calls of the service's own URL with the form's current values and a key placeholder. */
  private _renderSnippets(): void {
    const deployment = this._deployment;
    if (!deployment) {
      return;
    }
    const trans = this.ui.trans;
    const images = this._inputs.filter(input => input.kind === 'image').map(input => input.name);
    const body: Record<string, unknown> = {};
    for (const input of this._inputs) {
      try {
        body[input.name] = input.value();
      } catch {
        body[input.name] = input.kind === 'image' ? '<base64 image>' : null;
      }
    }
    const url = deployment.url.replace(/\/*$/, '/') + PREDICT_ROUTE;
    const shown = shortenForSnippet(body, '<base64 image>');
    const snippet = (title: string, code: string, key: string): HTMLElement => {
      const box = el('div', 'jp-DeployTry-snippet');
      box.dataset.snippet = key;
      const head = el('div', 'jp-DeployTry-snippetTop');
      head.append(
        el('span', '', title),
        iconButton(copyIcon, trans.__('Copy'), `copy-${key}`, () => Clipboard.copyToSystem(code))
      );
      box.append(head, el('pre', 'jp-DeployTry-code', code));
      return box;
    };
    this._snippets.replaceChildren(
      el('h3', '', trans.__('Call it from anywhere')),
      el(
        'p',
        'jp-DeployTry-snippetNote',
        trans.__(
          'Outside JupyterLab the service needs its API key, shown once when it was deployed (or make a new one): put it in the environment variable %1.',
          `$${KEY_VARIABLE}`
        )
      ),
      snippet('curl', curlSnippet(url, shown), 'curl'),
      snippet('Python', pythonSnippet(url, shown, images), 'python')
    );
  }

  private _deployment: IDeployment | null = null;
  private _inputs: (IInput & { node: HTMLElement })[] = [];
  private _status: HTMLSpanElement;
  private _facts: HTMLDivElement;
  private _notice: HTMLDivElement;
  private _form: HTMLFormElement;
  private _fields: HTMLDivElement;
  private _sendButton: HTMLButtonElement;
  private _answer: HTMLElement;
  private _snippets: HTMLElement;
}

export function createTryItWidget(ui: IDeployUI, name: string): MainAreaWidget<TryItView> {
  const content = new TryItView(ui, name);
  const widget = new MainAreaWidget({ content, translator: ui.translator });
  widget.id = `jlab-platform-deploy-try-${name}`;
  widget.addClass('jp-DeployTryPanel');
  widget.title.icon = deployIcon;
  widget.title.label = ui.trans.__('Try %1', name);
  widget.title.closable = true;
  return widget;
}
