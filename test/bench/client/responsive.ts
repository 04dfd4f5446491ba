import { now, sleep } from './clock';
import { HttpPool } from './http-pool';
import { Target } from '../support/targets';

const FAST_MS = 100;
const IN_A_ROW = 3;

/**
 * Waits until the server answers a publish within 100 ms three times in a row.
 * A server can look idle (no CPU) while work for streams that just opened is
 * still queued behind its database pool; load started then would measure that
 * queue, not the steady state. Resolves with how long it waited.
 */
export async function waitUntilResponsive(target: Target, pool: HttpPool, maxMs: number): Promise<number> {
  const started = now();
  let fast = 0;
  while (fast < IN_A_ROW && now() - started < maxMs) {
    const sentAt = now();
    const response = await pool.request(target.publish('bench-probe', 'bench.probe', `{"t":${sentAt}}`));
    fast = response.status === 201 && now() - sentAt < FAST_MS ? fast + 1 : 0;
    if (fast < IN_A_ROW) await sleep(100);
  }
  return now() - started;
}
