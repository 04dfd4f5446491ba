/**
 * The pauses of one token stream, all cut short by a single abort listener.
 * abortableSleep adds and removes a listener per pause: at 20,000 tokens/s
 * that bookkeeping cost the worker more than producing the tokens.
 */
export class StreamPacer {
  private wake: (() => void) | null = null;
  private timer: NodeJS.Timeout | null = null;
  private readonly onAbort = () => this.fire();

  constructor(private readonly signal: AbortSignal) {
    signal.addEventListener('abort', this.onAbort, { once: true });
  }

  /** Waits `ms`, or less if the signal aborts first. One pause at a time. */
  sleep(ms: number): Promise<void> {
    if (ms <= 0 || this.signal.aborted) return Promise.resolve();
    return new Promise((resolve) => {
      this.wake = resolve;
      this.timer = setTimeout(this.fire, ms);
    });
  }

  /** Ends any pause and lets go of the signal. */
  close(): void {
    this.signal.removeEventListener('abort', this.onAbort);
    this.fire();
  }

  private readonly fire = (): void => {
    if (this.timer) clearTimeout(this.timer);
    const wake = this.wake;
    this.timer = null;
    this.wake = null;
    wake?.();
  };
}
