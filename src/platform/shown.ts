import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

/**
 * A widget that works (polls the server) only while it is shown: it starts on
 * show or attach-while-visible and stops on hide, detach and dispose.
 */
export abstract class WhileShownWidget extends Widget {
  dispose(): void {
    if (!this.isDisposed) {
      this.stopWork();
    }
    super.dispose();
  }

  protected abstract startWork(): void;

  protected abstract stopWork(): void;

  protected onAfterShow(msg: Message): void {
    super.onAfterShow(msg);
    this.startWork();
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (this.isVisible) {
      this.startWork();
    }
  }

  protected onAfterHide(msg: Message): void {
    super.onAfterHide(msg);
    this.stopWork();
  }

  protected onBeforeDetach(msg: Message): void {
    this.stopWork();
    super.onBeforeDetach(msg);
  }
}
