/**
 * Aborts its signal once the provider has been silent for `idleMs`. A server
 * that accepts the connection and then stops sending would otherwise hold the
 * job until the operation timeout. Paused while the consumer handles a piece,
 * so a slow consumer is not mistaken for a stalled provider.
 */
export class IdleTimer {
  private readonly controller = new AbortController();
  private timer: NodeJS.Timeout | undefined;

  constructor(private readonly idleMs: number) {
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  get fired(): boolean {
    return this.controller.signal.aborted;
  }

  /** Something arrived: the silence starts over. */
  touch(): void {
    clearTimeout(this.timer);
    this.timer = setTimeout(() => this.controller.abort(new Error(`no data for ${this.idleMs} ms`)), this.idleMs);
  }

  pause(): void {
    clearTimeout(this.timer);
  }
}
