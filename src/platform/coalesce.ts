/**
 * Runs an async load so that calls made while one is running collapse into a single
 * further round: a burst of refresh requests (events, clicks, timers) costs at most
 * two requests to the server, and the last state asked for is always shown.
 */
export class CoalescedLoad {
  /** `stopped`: true once the owner is gone (no further round starts). */
  constructor(
    private readonly _load: () => Promise<void>,
    private readonly _stopped: () => boolean
  ) {}

  async run(): Promise<void> {
    if (this._running) {
      this._again = true;
      return;
    }
    this._running = true;
    try {
      do {
        this._again = false;
        await this._load();
      } while (this._again && !this._stopped());
    } finally {
      this._running = false;
    }
  }

  private _running = false;
  private _again = false;
}
