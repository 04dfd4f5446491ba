import { readStoredRows } from '../distributed/support/resume-check';
import { sleep } from '../distributed/support/time';
import { followGeneration, PG_FAULT_USER, usePostgresFaultCluster } from './support/postgres-cluster';
import { readiness } from './support/readiness';
import { sseFrames } from './support/sse-frames';
import { unstoredFrames } from './support/stored-frames';

// PostgreSQL goes away mid-generation (stopped as if it crashed) and comes
// back: the worker's event writer retries with backoff instead of failing the
// operation, nothing reaches a client before it is stored, and the operation
// ends — here completed, with its chunks intact — rather than hanging in running.

const OUTAGE_MS = 3000;

describe('PostgreSQL restarted mid-generation', () => {
  const cluster = usePostgresFaultCluster({ SIM_TOKENS_PER_SECOND: '25' });

  it('the writer retries; the operation completes and every delivered event is a stored one', async () => {
    const { pg, api, worker, auth } = cluster;
    const { id, live: stream } = await followGeneration(cluster, 'the database blinks', 150, 10);

    await pg.stopImmediately();
    const during = await readiness(api.url);
    await sleep(OUTAGE_MS);
    await pg.start();
    await stream.waitFor(/event: operation\.(completed|failed)/, 60_000).catch((error: Error) => {
      throw new Error(`${error.message}\n--- worker ---\n${worker.output()}`);
    });

    expect(during).toMatchObject({ status: 503, database: 'down' });
    // The fault hit a write, which was retried rather than failing the operation.
    expect(worker.output()).toMatch(/event write failed .*; retrying/);
    const frames = sseFrames(stream.text());
    expect(unstoredFrames(frames, await readStoredRows(pg.url, PG_FAULT_USER))).toEqual([]);

    const op = (await (await fetch(`${api.url}/api/operations/${id}`, { headers: auth })).json()) as {
      status: string;
      result: { text: string; tokens: number };
    };
    expect(op.status).toBe('completed');
    const chunks = frames.filter((f) => f.event === 'operation.content').map((f) => f.envelope.data);
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
    expect(chunks.map((c) => c.text).join('')).toBe(op.result.text);
    expect(op.result.tokens).toBe(150);
    const statuses = frames.filter((f) => f.event === 'operation.status').map((f) => f.envelope.data.status);
    expect(statuses).toEqual(['queued', 'running', 'completed']);
    expect((await readiness(api.url)).status).toBe(200);
  }, 90_000);
});
