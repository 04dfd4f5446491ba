export const DEFAULT_INITIAL_RETRY_MS = 1000;
export const DEFAULT_MAX_RETRY_MS = 30_000;

/**
 * Exponential backoff with full jitter: a uniform delay in
 * [0, min(max, base · 2^attempt)]. Spreading reconnects over the whole window
 * keeps a restarted server from being hit by every client at the same instant.
 * `base` is the server's `retry:` when it sent one.
 */
export function backoffDelay(attempt: number, baseMs: number, maxMs: number, random: () => number = Math.random): number {
  const ceiling = Math.min(maxMs, baseMs * 2 ** Math.min(attempt, 30));
  return Math.floor(random() * ceiling);
}

/** Resolves after `ms`, or rejects with the signal's reason as soon as it aborts. */
export function sleep(ms: number, signal?: AbortSignal): Promise<void> {
  return new Promise((resolve, reject) => {
    if (signal?.aborted) return reject(signal.reason);
    const onAbort = () => {
      clearTimeout(timer);
      reject(signal?.reason);
    };
    const timer = setTimeout(() => {
      signal?.removeEventListener('abort', onAbort);
      resolve();
    }, ms);
    signal?.addEventListener('abort', onAbort, { once: true });
  });
}
