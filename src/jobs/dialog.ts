/** The "Run as Job" dialog: name, environment and arguments for one script. */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { el, field } from '../platform/dom';
import { envDescription } from './labels';
import { IJobEnvironment, JobEnv } from './model';

const LAST_ENV_KEY = 'jlab-platform:job-env';

export interface ISubmitOptions {
  name: string;
  env: JobEnv;
  args: string;
}

class SubmitForm extends Widget implements Dialog.IBodyWidget<ISubmitOptions> {
  constructor(
    private readonly trans: TranslationBundle,
    script: string,
    environments: IJobEnvironment[]
  ) {
    super();
    this.addClass('jp-JobSubmit');
    this._name = el('input', 'jp-mod-styled jp-JobSubmit-name');
    // The server names a job after its script's stem when no name is given.
    this._name.placeholder = PathExt.basename(script, PathExt.extname(script));
    this._env = el('select', 'jp-mod-styled jp-JobSubmit-env');
    this._args = el('input', 'jp-mod-styled jp-JobSubmit-args');
    this._args.placeholder = trans.__('e.g. --epochs 10 --lr 0.01');
    this._describe = el('div', 'jp-JobSubmit-description');

    const unavailable: HTMLElement[] = [];
    for (const env of environments) {
      const label = env.available ? env.name : trans.__('%1 (unavailable)', env.name);
      const option = new Option(label, env.name);
      option.disabled = !env.available;
      if (env.reason) {
        option.title = env.reason;
      }
      this._env.append(option);
      if (!env.available) {
        const reason = env.reason ?? trans.__('no reason given');
        const note = el('div', 'jp-JobSubmit-unavailable', trans.__('%1 is unavailable: %2', env.name, reason));
        note.dataset.env = env.name;
        unavailable.push(note);
      }
    }
    this._env.value = defaultEnv(environments);
    this._env.addEventListener('change', () => this._updateDescription());
    this._updateDescription();

    const script_ = el('code', 'jp-JobSubmit-script', script);
    this.node.append(
      field('jp-JobSubmit', trans.__('Script'), script_),
      field('jp-JobSubmit', trans.__('Name'), this._name),
      field('jp-JobSubmit', trans.__('Environment'), this._env, this._describe, ...unavailable),
      field('jp-JobSubmit', trans.__('Arguments'), this._args)
    );
  }

  getValue(): ISubmitOptions {
    return {
      name: this._name.value.trim(),
      env: this._env.value as JobEnv,
      args: this._args.value.trim()
    };
  }

  private _updateDescription(): void {
    this._describe.textContent = envDescription(this.trans, this._env.value as JobEnv);
  }

  private _name: HTMLInputElement;
  private _env: HTMLSelectElement;
  private _args: HTMLInputElement;
  private _describe: HTMLDivElement;
}

/** The environment used last time when it is still available, else cpu, else the first available. */
function defaultEnv(environments: IJobEnvironment[]): JobEnv {
  const available = environments.filter(env => env.available).map(env => env.name);
  const last = window.localStorage.getItem(LAST_ENV_KEY) as JobEnv | null;
  if (last && available.includes(last)) {
    return last;
  }
  return available.includes('cpu') ? 'cpu' : (available[0] ?? 'cpu');
}

/** Ask how to run `script`; null when the user cancels. */
export async function askSubmitOptions(
  trans: TranslationBundle,
  script: string,
  environments: IJobEnvironment[]
): Promise<ISubmitOptions | null> {
  const result = await showDialog<ISubmitOptions>({
    title: trans.__('Run as Job'),
    body: new SubmitForm(trans, script, environments),
    focusNodeSelector: '.jp-JobSubmit-name',
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.okButton({ label: trans.__('Run') })]
  });
  if (!result.button.accept || !result.value) {
    return null;
  }
  const chosen = environments.find(env => env.name === result.value!.env);
  if (chosen && !chosen.available) {
    return null;
  }
  window.localStorage.setItem(LAST_ENV_KEY, result.value.env);
  return result.value;
}
