/** The Crowdsourcing dialogs: create a task, invite someone (and show the link), confirm. */
import { Clipboard, Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { el } from '../jobs/dom';
import { absoluteLink, CROWD_STRATEGIES, CrowdStrategy, ICrowdInvite, INewCrowdTask, splitList } from './model';

export interface ICreateDraft {
  name: string;
  description: string;
  dataset: string;
  module: string;
  classes: string;
  maxChoose: string;
  overlap: string;
  strategy: CrowdStrategy;
  rounds: string;
  labelers: string;
}

export const EMPTY_DRAFT: ICreateDraft = {
  name: '',
  description: '',
  dataset: '',
  module: '',
  classes: '',
  maxChoose: '100',
  overlap: '1',
  strategy: 'least_confidence',
  rounds: '3',
  labelers: ''
};

export function draftToTask(draft: ICreateDraft): INewCrowdTask {
  const classes = splitList(draft.classes);
  return {
    name: draft.name.trim(),
    description: draft.description.trim(),
    dataset: draft.dataset.trim(),
    module: draft.module.trim(),
    ...(classes.length ? { classes } : {}),
    max_choose: Number(draft.maxChoose),
    overlap: Number(draft.overlap),
    strategy: draft.strategy,
    max_rounds: Number(draft.rounds),
    labelers: splitList(draft.labelers)
  };
}

class CreateTaskForm extends Widget implements Dialog.IBodyWidget<ICreateDraft> {
  constructor(
    trans: TranslationBundle,
    draft: ICreateDraft,
    problem: string,
    suggestions: { datasets: string[]; modules: string[] }
  ) {
    super();
    this.addClass('jp-CrowdCreate');
    const input = (key: keyof ICreateDraft, placeholder: string, list?: string[]): HTMLInputElement => {
      const node = el('input', 'jp-mod-styled');
      node.name = key;
      node.value = draft[key];
      node.placeholder = placeholder;
      if (list?.length) {
        const datalist = el('datalist');
        datalist.id = `jp-CrowdCreate-${key}`;
        datalist.append(...list.map(value => new Option(value, value)));
        this.node.append(datalist);
        node.setAttribute('list', datalist.id);
      }
      this._inputs.set(key, node);
      return node;
    };
    const description = el('textarea', 'jp-mod-styled');
    description.name = 'description';
    description.rows = 2;
    description.value = draft.description;
    description.placeholder = trans.__('What labelers should look for');
    this._description = description;
    const strategy = el('select', 'jp-mod-styled');
    strategy.name = 'strategy';
    const names: Record<CrowdStrategy, string> = {
      least_confidence: trans.__('Least confidence'),
      margin: trans.__('Smallest margin'),
      entropy: trans.__('Highest entropy'),
      random: trans.__('Random (control)')
    };
    strategy.append(...CROWD_STRATEGIES.map(value => new Option(names[value], value)));
    strategy.value = draft.strategy;
    this._strategy = strategy;
    const overlap = el('select', 'jp-mod-styled');
    overlap.name = 'overlap';
    overlap.append(...['1', '2', '3'].map(value => new Option(value, value)));
    overlap.value = draft.overlap;
    this._overlap = overlap;
    const number = (key: keyof ICreateDraft, min: number, max: number): HTMLInputElement => {
      const node = input(key, '');
      node.type = 'number';
      node.min = String(min);
      node.max = String(max);
      return node;
    };
    this.node.append(
      field(trans.__('Name'), input('name', trans.__('e.g. Shapes, first pass'))),
      field(trans.__('Description'), description),
      field(trans.__('Dataset folder'), input('dataset', 'datasets/shapes', suggestions.datasets)),
      field(trans.__('Module'), input('module', trans.__('a module name or folder'), suggestions.modules)),
      field(
        trans.__('Classes'),
        input('classes', trans.__('comma-separated; empty: the module’s')),
        el('div', 'jp-CrowdCreate-hint', trans.__('Digits 1–9 and 0 pick the first ten classes.'))
      ),
      field(trans.__('Samples per round'), number('maxChoose', 1, 100000)),
      field(trans.__('Labels per sample'), overlap),
      field(trans.__('Selection'), strategy),
      field(trans.__('Rounds (at most)'), number('rounds', 1, 3)),
      field(trans.__('Invite'), input('labelers', trans.__('names, comma-separated (optional)')))
    );
    if (problem) {
      this.node.append(el('p', 'jp-CrowdCreate-problem', problem));
    }
  }

  getValue(): ICreateDraft {
    const value = (key: keyof ICreateDraft): string => this._inputs.get(key)?.value ?? '';
    return {
      name: value('name'),
      description: this._description.value,
      dataset: value('dataset'),
      module: value('module'),
      classes: value('classes'),
      maxChoose: value('maxChoose'),
      overlap: this._overlap.value,
      strategy: this._strategy.value as CrowdStrategy,
      rounds: value('rounds'),
      labelers: value('labelers')
    };
  }

  private _inputs = new Map<keyof ICreateDraft, HTMLInputElement>();
  private _description: HTMLTextAreaElement;
  private _strategy: HTMLSelectElement;
  private _overlap: HTMLSelectElement;
}

/** The draft to create, or null when cancelled; `problem` is the server's answer to the last try. */
export async function askNewTask(
  trans: TranslationBundle,
  draft: ICreateDraft,
  problem: string,
  suggestions: { datasets: string[]; modules: string[] }
): Promise<ICreateDraft | null> {
  const result = await showDialog({
    title: trans.__('New labeling task'),
    body: new CreateTaskForm(trans, draft, problem, suggestions),
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.okButton({ label: trans.__('Create') })]
  });
  return result.button.accept ? result.value : null;
}

class InviteForm extends Widget implements Dialog.IBodyWidget<{ name: string; hours: number | undefined }> {
  constructor(trans: TranslationBundle) {
    super();
    this.addClass('jp-CrowdInvite');
    this._name = el('input', 'jp-mod-styled');
    this._name.name = 'name';
    this._name.placeholder = trans.__('e.g. alice');
    this._hours = el('input', 'jp-mod-styled');
    this._hours.name = 'hours';
    this._hours.type = 'number';
    this._hours.min = '1';
    this._hours.placeholder = trans.__('never');
    this.node.append(
      field(trans.__('Name'), this._name),
      field(trans.__('Link expires after (hours)'), this._hours),
      el(
        'p',
        'jp-CrowdCreate-hint',
        trans.__('The link lets its holder label this task’s samples, and nothing else, without a login.')
      )
    );
  }

  getValue(): { name: string; hours: number | undefined } {
    const hours = Number(this._hours.value);
    return { name: this._name.value.trim(), hours: hours > 0 ? hours : undefined };
  }

  private _name: HTMLInputElement;
  private _hours: HTMLInputElement;
}

export async function askInvite(
  trans: TranslationBundle
): Promise<{ name: string; hours: number | undefined } | null> {
  const result = await showDialog({
    title: trans.__('Invite a labeler'),
    body: new InviteForm(trans),
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.okButton({ label: trans.__('Invite') })]
  });
  return result.button.accept && result.value?.name ? result.value : null;
}

/** The invite link, shown once (only its hash is stored), with a button that copies it. */
export async function showInviteLink(trans: TranslationBundle, invite: ICrowdInvite): Promise<void> {
  const link = absoluteLink(invite.link, window.location.origin);
  const body = el('div', 'jp-CrowdLink');
  const text = el('input', 'jp-mod-styled jp-CrowdLink-url');
  text.readOnly = true;
  text.value = link;
  text.addEventListener('focus', () => text.select());
  body.append(
    el(
      'p',
      '',
      trans.__('Send this link to %1. It is shown only now: invite again for a new one.', invite.labeler.name)
    ),
    text
  );
  const result = await showDialog({
    title: trans.__('Labeling link for %1', invite.labeler.name),
    body: new Widget({ node: body }),
    buttons: [Dialog.cancelButton({ label: trans.__('Close') }), Dialog.okButton({ label: trans.__('Copy link') })]
  });
  if (result.button.accept) {
    Clipboard.copyToSystem(link);
  }
}

/** Ask before an action that cannot be taken back; true when confirmed. */
export async function confirmAction(
  trans: TranslationBundle,
  title: string,
  message: string,
  accept: string,
  warn = false
): Promise<boolean> {
  const result = await showDialog({
    title,
    body: message,
    buttons: [
      Dialog.cancelButton({ label: trans.__('Cancel') }),
      warn ? Dialog.warnButton({ label: accept }) : Dialog.okButton({ label: accept })
    ]
  });
  return result.button.accept;
}

function field(label: string, control: HTMLElement, ...more: HTMLElement[]): HTMLElement {
  const wrapper = el('label', 'jp-CrowdCreate-field');
  wrapper.append(el('span', 'jp-CrowdCreate-label', label), control, ...more);
  return wrapper;
}
