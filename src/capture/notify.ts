/** On opening a notebook: offer to restore its captures that ran or finished while it was closed. */
import { Notification } from '@jupyterlab/apputils';

import { captureApi, ICapture } from './client';
import { INFO_TOAST_MS } from '../platform/notify';
import { CaptureActions } from './actions';
import { shouldOffer } from './model';
import { stateLabel } from './states';
import { NotebookPanel } from './notebooks';

export async function offerRestore(ui: CaptureActions, panel: NotebookPanel): Promise<void> {
  let captures: ICapture[];
  try {
    ({ captures } = await captureApi.list({ notebook: panel.context.path }));
  } catch {
    return; // the version handshake already says when the server extension is missing
  }
  const savedAt = panel.context.contentsModel?.last_modified ?? null;
  for (const capture of captures.filter(capture => shouldOffer(capture, savedAt))) {
    const trans = ui.trans;
    const message =
      capture.state === 'running'
        ? trans.__(
            'The cell capturing “%1” is still running. Restore it to see everything it printed, including while this page was closed.',
            capture.name
          )
        : trans.__(
            'Captured output “%1” (%2) has more than this notebook was saved with. Restore it to see all of it.',
            capture.name,
            stateLabel(trans, capture.state)
          );
    Notification.info(message, {
      autoClose: INFO_TOAST_MS,
      actions: [{ label: trans.__('Restore'), callback: () => void ui.restore(capture) }]
    });
  }
}
