/** A deployment's API keys: listed by prefix and age, revoked at once, a new one made and shown once. */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { el } from '../platform/dom';
import { errorMessage, formatTime } from '../platform/format';
import { showError } from '../platform/notify';
import { IDeployUI } from './actions';
import { deployApi, IKeyInfo } from './client';
import { showKey } from './dialog';

/** The list; Revoke asks once more on the same button (a second dialog over this one would hide it). */
class KeyList extends Widget {
  constructor(
    private readonly trans: TranslationBundle,
    private readonly name: string,
    keys: IKeyInfo[]
  ) {
    super({ node: el('div', 'jp-DeployKeys') });
    this.node.append(
      el(
        'p',
        '',
        trans.__(
          'Callers outside JupyterLab send one of these keys. A revoked key is refused at once; the others keep working.'
        )
      )
    );
    this._list = el('ul', 'jp-DeployKeys-list');
    this._list.append(...keys.map(key => this._row(key)));
    this._message = el('div', 'jp-DeployKeys-message');
    this.node.append(this._list, this._message);
    this._showEmpty();
  }

  private _row(key: IKeyInfo): HTMLLIElement {
    const trans = this.trans;
    const row = el('li', 'jp-DeployKeys-key');
    row.dataset.id = key.id;
    const revoke = el('button', 'jp-Button jp-mod-styled jp-mod-minimal jp-DeployKeys-revoke', trans.__('Revoke'));
    revoke.type = 'button';
    revoke.addEventListener('click', async () => {
      if (!revoke.classList.contains('jp-mod-warn')) {
        revoke.classList.add('jp-mod-warn');
        revoke.textContent = trans.__('Revoke now');
        return;
      }
      revoke.disabled = true;
      try {
        await deployApi.revokeKey(this.name, key.id);
        row.remove();
        this._showEmpty();
      } catch (error) {
        revoke.disabled = false;
        this._message.textContent = errorMessage(error);
      }
    });
    row.append(
      el('code', 'jp-DeployKeys-prefix', `${key.prefix}…`),
      el('span', 'jp-DeployKeys-created', trans.__('made %1', formatTime(key.created_at))),
      revoke
    );
    return row;
  }

  private _showEmpty(): void {
    if (!this._list.childElementCount) {
      this._message.textContent = this.trans.__('No key: only JupyterLab (Try it) can call the service.');
    }
  }

  private _list: HTMLUListElement;
  private _message: HTMLDivElement;
}

/** The keys of `name` to revoke, and "New key" (shown once). */
export async function manageKeys(ui: IDeployUI, name: string): Promise<void> {
  const trans = ui.trans;
  let keys: IKeyInfo[];
  try {
    keys = (await deployApi.get(name)).keys;
  } catch (error) {
    showError(error);
    return;
  }
  const result = await showDialog({
    title: trans.__('API keys of %1', name),
    body: new KeyList(trans, name, keys),
    buttons: [Dialog.cancelButton({ label: trans.__('Close') }), Dialog.okButton({ label: trans.__('New key') })]
  });
  if (!result.button.accept) {
    return;
  }
  try {
    const key = await deployApi.newKey(name);
    await showKey(trans, name, key.key);
  } catch (error) {
    showError(error);
  }
}
