/**
 * The cell output of `%platform_tensorboard`: a small card with "Open TensorBoard". The tab
 * itself opens when the kernel sends the output (see plugin.ts), not when a saved notebook
 * shows it again.
 */
import type { IRenderMime } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { el } from '../platform/dom';
import { tensorboardIcon } from './icons';
import { parseOutput, TENSORBOARD_MIME } from './model';

class TensorBoardCard extends Widget implements IRenderMime.IRenderer {
  constructor(
    private readonly trans: TranslationBundle,
    private readonly open: (logdir: string) => void
  ) {
    super();
    this.addClass('jp-TensorBoardCard');
  }

  async renderModel(model: IRenderMime.IMimeModel): Promise<void> {
    const trans = this.trans;
    const output = parseOutput(model.data[TENSORBOARD_MIME]);
    if (!output) {
      this.node.replaceChildren(
        el('span', 'jp-TensorBoardCard-error', trans.__('This TensorBoard output is not valid.'))
      );
      return;
    }
    const folder = output.logdir ? `${output.logdir}/` : '/';
    const text = el('span', 'jp-TensorBoardCard-text');
    text.append(el('strong', '', trans.__('TensorBoard')), el('span', 'jp-TensorBoardCard-folder', folder));
    const button = el(
      'button',
      'jp-Button jp-mod-styled jp-mod-accept jp-TensorBoardCard-open',
      trans.__('Open TensorBoard')
    );
    button.type = 'button';
    button.title = trans.__('Open TensorBoard for %1 in a JupyterLab tab', folder);
    button.addEventListener('click', () => this.open(output.logdir));
    this.node.dataset.logdir = output.logdir;
    const head = el('span', 'jp-TensorBoardCard-head');
    head.append(tensorboardIcon.element({ className: 'jp-TensorBoardCard-icon' }), text);
    this.node.replaceChildren(head, button);
  }
}

/** The renderer of the output's MIME type; it shows text and a button only, so untrusted outputs may use it. */
export function tensorboardRendererFactory(
  trans: TranslationBundle,
  open: (logdir: string) => void
): IRenderMime.IRendererFactory {
  return {
    safe: true,
    mimeTypes: [TENSORBOARD_MIME],
    defaultRank: 10,
    createRenderer: () => new TensorBoardCard(trans, open)
  };
}
