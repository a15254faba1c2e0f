import type { Message } from '@lumino/messaging';
import { Widget } from '@lumino/widgets';

/**
 * A widget that polls the server only while it is shown: polling starts on
 * show (or attach while visible) and stops on hide, detach and dispose.
 * A round never overlaps the next; a round started before a stop never
 * schedules another.
 */
export abstract class WhileShownWidget extends Widget {
  dispose(): void {
    if (!this.isDisposed) {
      this.stopWork();
    }
    super.dispose();
  }

  /** Milliseconds between the end of one round and the start of the next. */
  protected abstract readonly pollMs: number;

  /** Ask the server and show what it says. */
  abstract refresh(): Promise<void>;

  /**
   * One round of work; false stops polling until the widget is shown again.
   * By default: refresh, unless the browser tab is in the background.
   */
  protected async poll(): Promise<boolean> {
    if (!document.hidden) {
      await this.refresh();
    }
    return true;
  }

  /** False while polling must not start (e.g. what the widget shows is gone). */
  protected canPoll(): boolean {
    return true;
  }

  /** Extra work that lives exactly as long as polling (timers, open connections). */
  protected onStartPolling(): void {
    // nothing by default
  }

  protected onStopPolling(): void {
    // nothing by default
  }

  protected startWork(): void {
    if (this._polling || this.isDisposed || !this.canPoll()) {
      return;
    }
    this._polling = true;
    this.onStartPolling();
    const generation = ++this._generation;
    const round = async (): Promise<void> => {
      const again = await this.poll();
      if (again && this._polling && generation === this._generation) {
        this._timer = window.setTimeout(() => void round(), this.pollMs);
      }
    };
    void round();
  }

  protected stopWork(): void {
    if (!this._polling) {
      return;
    }
    this._polling = false;
    this._generation++;
    window.clearTimeout(this._timer);
    this.onStopPolling();
  }

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

  private _polling = false;
  private _generation = 0;
  private _timer = 0;
}
