/** The detail view of one module or dataset: facts, problems, README, and the Train/Predict forms. */
import { Clipboard } from '@jupyterlab/apputils';
import type { IRenderMime } from '@jupyterlab/rendermime';
import { Widget } from '@lumino/widgets';

import { el } from '../platform/dom';
import { ActionForm } from './form';
import { IModulesHost } from './host';
import { IDatasetDetail, IModuleDetail, IProblem, ModuleAction, problemText, sourceLabel } from './model';

export class DetailView {
  readonly node: HTMLDivElement;

  constructor(private readonly host: IModulesHost) {
    this.node = el('div', 'jp-ModulesDetail');
  }

  /** Show a module; `pathSuggestions` fill the path fields' suggestion lists. */
  showModule(module: IModuleDetail, pathSuggestions: string[]): void {
    const trans = this.host.trans;
    this._reset('module', module.name);
    const source = (name: string): string => sourceLabel((message, ...args) => trans.__(message, ...args), name);
    const facts: [string, string][] = [
      [trans.__('Name'), module.name],
      [trans.__('Version'), module.version ?? '—'],
      [trans.__('Framework'), module.framework || '—'],
      [trans.__('Task'), module.task || '—'],
      [trans.__('Source'), module.path ? `${source(module.source)} (${module.path})` : source(module.source)],
      [trans.__('Results'), `${module.results}/`]
    ];
    if (module.requirements.length) {
      facts.push([trans.__('Requires'), module.requirements.join(', ')]);
    }
    this.node.append(this._facts(facts, module.description));
    this._problems(module.errors, 'error');
    this._problems(module.warnings, 'warning');
    const actions = el('div', 'jp-ModulesDetail-actions');
    const formHolder = el('div', 'jp-ModulesDetail-form');
    for (const action of ['train', 'predict'] as ModuleAction[]) {
      const spec = module.spec?.actions[action];
      const label = action === 'train' ? trans.__('Train') : trans.__('Predict');
      const button = el('button', `jp-Button jp-mod-styled jp-ModulesDetail-${action}`, label);
      button.type = 'button';
      button.disabled = !module.valid || !spec;
      button.title = button.disabled
        ? trans.__('This module has no valid %1 in its spec', action)
        : trans.__('Open the %1 form', action);
      button.addEventListener('click', () => {
        if (!spec) {
          return;
        }
        const form = new ActionForm(this.host, module.name, action, spec, pathSuggestions);
        formHolder.replaceChildren(form.node);
        actions.querySelectorAll('button').forEach(b => b.classList.toggle('jp-mod-active', b === button));
        form.node.querySelector<HTMLElement>('input, select')?.focus();
      });
      actions.append(button);
    }
    const deploy = el('button', 'jp-Button jp-mod-styled jp-ModulesDetail-deploy', trans.__('Deploy…'));
    deploy.type = 'button';
    deploy.disabled = !module.valid;
    deploy.title = trans.__('Deploy a trained run of this module as an HTTP service');
    deploy.addEventListener('click', () => this.host.deploy(module.name));
    actions.append(deploy);
    this.node.append(actions, formHolder, this.host.trainingRuns(module.name));
    void this._readme(module.readme);
  }

  showDataset(dataset: IDatasetDetail): void {
    const trans = this.host.trans;
    this._reset('dataset', dataset.name);
    const facts: [string, string][] = [
      [trans.__('Name'), dataset.name],
      [trans.__('Task'), dataset.task || '—'],
      [trans.__('Classes'), dataset.classes.length ? dataset.classes.join(', ') : '—'],
      [trans.__('Samples'), dataset.samples === null ? '—' : String(dataset.samples)],
      [trans.__('Source'), sourceLabel((message, ...args) => trans.__(message, ...args), dataset.source)]
    ];
    const table = this._facts(facts, dataset.description);
    if (dataset.path) {
      const copy = el('button', 'jp-Button jp-mod-minimal jp-ModulesDetail-copy', trans.__('Copy path'));
      copy.type = 'button';
      copy.title = trans.__('Copy %1 to paste it into a form or code', dataset.path);
      copy.addEventListener('click', () => Clipboard.copyToSystem(dataset.path ?? ''));
      table.append(this._fact(trans.__('Path'), dataset.path, copy));
    }
    this.node.append(table);
    this._problems(dataset.errors, 'error');
    this._problems(dataset.warnings, 'warning');
    void this._readme(dataset.readme);
  }

  showMessage(message: string): void {
    this._reset('', '');
    this.node.append(el('div', 'jp-ModulesDetail-message', message));
  }

  dispose(): void {
    this._markdown?.dispose();
    this._markdown = null;
  }

  private _reset(kind: string, name: string): void {
    this.dispose();
    this.node.replaceChildren();
    this.node.dataset.kind = kind;
    this.node.dataset.name = name;
  }

  private _facts(facts: [string, string][], description: string): HTMLElement {
    const table = el('div', 'jp-ModulesDetail-facts');
    if (description) {
      table.append(el('p', 'jp-ModulesDetail-description', description));
    }
    table.append(...facts.map(([label, value]) => this._fact(label, value)));
    return table;
  }

  private _fact(label: string, value: string, extra?: HTMLElement): HTMLElement {
    const row = el('div', 'jp-ModulesDetail-fact');
    row.append(el('span', 'jp-ModulesDetail-label', label), el('span', 'jp-ModulesDetail-value', value));
    if (extra) {
      row.append(extra);
    }
    return row;
  }

  private _problems(problems: IProblem[], kind: 'error' | 'warning'): void {
    if (!problems.length) {
      return;
    }
    const trans = this.host.trans;
    const box = el('div', `jp-ModulesDetail-problems jp-mod-${kind}`);
    const title = kind === 'error' ? trans.__('Errors') : trans.__('Warnings');
    box.append(el('div', 'jp-ModulesDetail-problemsTitle', title));
    const list = el('ul');
    list.append(...problems.map(problem => el('li', '', problemText(problem))));
    box.append(list);
    this.node.append(box);
  }

  private async _readme(text: string): Promise<void> {
    const holder = el('div', 'jp-ModulesDetail-readme');
    this.node.append(holder);
    if (!text.trim()) {
      holder.append(el('p', 'jp-ModulesDetail-message', this.host.trans.__('No README.')));
      return;
    }
    const rendermime = this.host.rendermime;
    if (!rendermime) {
      holder.append(el('pre', 'jp-ModulesDetail-plain', text));
      return;
    }
    const renderer: IRenderMime.IRenderer = rendermime.createRenderer('text/markdown');
    this._markdown = renderer;
    // Untrusted: the markdown renderer sanitizes any HTML in a README.
    await renderer.renderModel(rendermime.createModel({ data: { 'text/markdown': text }, trusted: false }));
    if (this._markdown === renderer) {
      holder.append(renderer.node);
    }
  }

  private _markdown: Widget | null = null;
}
