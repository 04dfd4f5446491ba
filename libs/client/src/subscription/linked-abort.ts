/**
 * An AbortController for one request that also aborts when the subscription's
 * signal does, and (optionally) when no progress is reported for `idleMs`.
 * Written out rather than AbortSignal.any/timeout so it runs on every browser
 * Herald targets and restarts its timer on each chunk.
 */
export class LinkedAbort {
  private readonly controller = new AbortController();
  private timer: ReturnType<typeof setTimeout> | undefined;
  private idle = false;
  private readonly onParentAbort = () => this.controller.abort(this.parent.reason);

  constructor(
    private readonly parent: AbortSignal,
    private readonly idleMs?: number,
  ) {
    if (parent.aborted) this.controller.abort(parent.reason);
    else parent.addEventListener('abort', this.onParentAbort, { once: true });
    this.touch();
  }

  get signal(): AbortSignal {
    return this.controller.signal;
  }

  /** True when this request was aborted for being idle (not by the subscription). */
  get timedOut(): boolean {
    return this.idle;
  }

  /** Data arrived: restart the idle timer. */
  touch(): void {
    if (this.idleMs === undefined) return;
    clearTimeout(this.timer);
    this.timer = setTimeout(() => {
      this.idle = true;
      this.controller.abort(new Error(`no data for ${this.idleMs} ms`));
    }, this.idleMs);
  }

  /** Ends the request (if still running) and releases the listeners. */
  dispose(): void {
    clearTimeout(this.timer);
    this.parent.removeEventListener('abort', this.onParentAbort);
    this.controller.abort();
  }
}
