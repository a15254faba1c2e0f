/** The Crowdsourcing dialogs: create a task, invite someone (and show the link), confirm. */
import { Clipboard, Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

import { el, field } from '../platform/dom';
import {
  absoluteLink,
  CROWD_STRATEGIES,
  CrowdStrategy,
  ICrowdInvite,
  IModuleChoices,
  INewCrowdTask,
  splitList
} from './model';
import { strategyLabel } from './states';

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

/** The server's answer to the last try: its message and, when it names one, the field it is about. */
export interface ICreateProblem {
  message: string;
  field: string | null;
}

/** The server's field names for the dialog's inputs. */
const FIELD_OF_KEY: Partial<Record<string, keyof ICreateDraft>> = {
  name: 'name',
  description: 'description',
  dataset: 'dataset',
  module: 'module',
  classes: 'classes',
  max_choose: 'maxChoose',
  overlap: 'overlap',
  strategy: 'strategy',
  max_rounds: 'rounds',
  labelers: 'labelers'
};

const OTHER_MODULE = '\u0000other';

class CreateTaskForm extends Widget implements Dialog.IBodyWidget<ICreateDraft> {
  constructor(
    trans: TranslationBundle,
    draft: ICreateDraft,
    problem: ICreateProblem | null,
    suggestions: ICreateSuggestions
  ) {
    super();
    this.addClass('jp-CrowdCreate');
    const controls = new Map<keyof ICreateDraft, HTMLElement>();
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
      controls.set(key, node);
      return node;
    };
    const description = el('textarea', 'jp-mod-styled');
    description.name = 'description';
    description.rows = 2;
    description.value = draft.description;
    description.placeholder = trans.__('What labelers should look for');
    this._description = description;
    controls.set('description', description);
    const strategy = el('select', 'jp-mod-styled');
    strategy.name = 'strategy';
    strategy.append(...CROWD_STRATEGIES.map(value => new Option(strategyLabel(trans, value), value)));
    strategy.value = draft.strategy;
    this._strategy = strategy;
    controls.set('strategy', strategy);
    const overlap = el('select', 'jp-mod-styled');
    overlap.name = 'overlap';
    overlap.append(...['1', '2', '3'].map(value => new Option(value, value)));
    overlap.value = draft.overlap;
    this._overlap = overlap;
    controls.set('overlap', overlap);
    const number = (key: keyof ICreateDraft, min: number, max: number): HTMLInputElement => {
      const node = input(key, '');
      node.type = 'number';
      node.min = String(min);
      node.max = String(max);
      return node;
    };
    const classes = input('classes', '');
    const module = this._moduleChoice(trans, draft.module, suggestions.modules, classes);
    controls.set('module', module);
    const fields: [keyof ICreateDraft, HTMLElement][] = [
      ['name', field('jp-CrowdCreate', trans.__('Name'), input('name', trans.__('e.g. Shapes, first pass')))],
      ['description', field('jp-CrowdCreate', trans.__('Description'), description)],
      [
        'dataset',
        field(
          'jp-CrowdCreate',
          trans.__('Dataset folder'),
          input('dataset', trans.__('e.g. %1', 'data/flowers'), suggestions.datasets)
        )
      ],
      ['module', field('jp-CrowdCreate', trans.__('Module'), module, this._otherModule)],
      [
        'classes',
        field(
          'jp-CrowdCreate',
          trans.__('Classes'),
          classes,
          el('div', 'jp-CrowdCreate-hint', trans.__('Digits 1–9 and 0 pick the first ten classes.'))
        )
      ],
      ['maxChoose', field('jp-CrowdCreate', trans.__('Samples per round'), number('maxChoose', 1, 100000))],
      ['overlap', field('jp-CrowdCreate', trans.__('Labels per sample'), overlap)],
      ['strategy', field('jp-CrowdCreate', trans.__('Selection'), strategy)],
      ['rounds', field('jp-CrowdCreate', trans.__('Rounds (at most)'), number('rounds', 1, 3))],
      [
        'labelers',
        field('jp-CrowdCreate', trans.__('Invite'), input('labelers', trans.__('names, comma-separated (optional)')))
      ]
    ];
    // The answer to the last try shows where it is seen: next to its field, else at the top.
    const key = problem?.field ? FIELD_OF_KEY[problem.field] : undefined;
    if (problem && !key) {
      this.node.append(el('p', 'jp-CrowdCreate-problem', problem.message));
    }
    for (const [name, wrapper] of fields) {
      if (problem && name === key) {
        const target = name === 'module' && this._otherModule.hidden === false ? this._otherModule : controls.get(name);
        target?.setAttribute('aria-invalid', 'true');
        const message = el('div', 'jp-CrowdCreate-problem jp-CrowdCreate-fieldProblem', problem.message);
        message.id = 'jp-CrowdCreate-problem';
        target?.setAttribute('aria-describedby', message.id);
        wrapper.append(message);
        this._invalid = target ?? null;
      }
      this.node.append(wrapper);
    }
  }

  getValue(): ICreateDraft {
    const value = (key: keyof ICreateDraft): string => this._inputs.get(key)?.value ?? '';
    const module = this._module.value === OTHER_MODULE ? this._otherModule.value : this._module.value;
    return {
      name: value('name'),
      description: this._description.value,
      dataset: value('dataset'),
      module,
      classes: value('classes'),
      maxChoose: value('maxChoose'),
      overlap: this._overlap.value,
      strategy: this._strategy.value as CrowdStrategy,
      rounds: value('rounds'),
      labelers: value('labelers')
    };
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    // The field the server refused is shown and focused, even below the dialog's fold.
    if (this._invalid) {
      const invalid = this._invalid;
      requestAnimationFrame(() => {
        invalid.scrollIntoView({ block: 'center' });
        invalid.focus();
      });
    }
  }

  /**
   * The Module choice: the library's modules that train and predict, the workspace's folders in
   * the seed's format, or another folder typed in. A seed folder's classes show as the hint of
   * the (optional) Classes input.
   */
  private _moduleChoice(
    trans: TranslationBundle,
    current: string,
    choices: IModuleChoices,
    classes: HTMLInputElement
  ): HTMLSelectElement {
    const select = el('select', 'jp-mod-styled');
    select.name = 'module';
    select.required = true;
    const prompt = new Option(trans.__('Choose a module…'), '');
    prompt.disabled = true;
    select.append(prompt);
    const group = (label: string, values: string[]): void => {
      if (values.length) {
        const node = el('optgroup');
        node.label = label;
        node.append(...values.map(value => new Option(value, value)));
        select.append(node);
      }
    };
    group(trans.__('Modules library'), choices.library);
    group(
      trans.__('Workspace folders (seed format)'),
      choices.seed.map(module => module.path)
    );
    select.append(new Option(trans.__('Another folder…'), OTHER_MODULE));
    const known = [...choices.library, ...choices.seed.map(module => module.path)];
    const other = el('input', 'jp-mod-styled');
    other.name = 'moduleFolder';
    other.placeholder = trans.__('e.g. %1', 'modules/flowers');
    other.setAttribute('aria-label', trans.__('Module folder'));
    if (current && !known.includes(current)) {
      select.value = OTHER_MODULE;
      other.value = current;
    } else if (!current && !known.length) {
      select.value = OTHER_MODULE;
    } else {
      select.value = current;
    }
    const update = (): void => {
      other.hidden = select.value !== OTHER_MODULE;
      const seed = choices.seed.find(module => module.path === select.value);
      classes.placeholder = seed
        ? trans.__('empty: the module’s (%1)', seed.classes.join(', '))
        : trans.__('comma-separated; empty: the module’s');
    };
    select.addEventListener('change', () => {
      update();
      if (select.value === OTHER_MODULE) {
        other.focus();
      }
    });
    update();
    this._module = select;
    this._otherModule = other;
    return select;
  }

  private _inputs = new Map<keyof ICreateDraft, HTMLInputElement>();
  private _description: HTMLTextAreaElement;
  private _strategy: HTMLSelectElement;
  private _overlap: HTMLSelectElement;
  private _module!: HTMLSelectElement;
  private _otherModule!: HTMLInputElement;
  private _invalid: HTMLElement | null = null;
}

/** What the dialog offers: the library's dataset folders, and the modules to choose from. */
export interface ICreateSuggestions {
  datasets: string[];
  modules: IModuleChoices;
}

/** The draft to create, or null when cancelled; `problem` is the server's answer to the last try. */
export async function askNewTask(
  trans: TranslationBundle,
  draft: ICreateDraft,
  problem: ICreateProblem | null,
  suggestions: ICreateSuggestions
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
      field('jp-CrowdCreate', trans.__('Name'), this._name),
      field('jp-CrowdCreate', trans.__('Link expires after (hours)'), this._hours),
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

export async function askInvite(trans: TranslationBundle): Promise<{ name: string; hours: number | undefined } | null> {
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
