import { readStoredRows } from '../distributed/support/resume-check';
import { sleep } from '../distributed/support/time';
import { openRawStream } from '../support/raw-stream';
import { followGeneration, PG_FAULT_USER, usePostgresFaultCluster } from './support/postgres-cluster';
import { sseFrames } from './support/sse-frames';
import { unstoredFrames } from './support/stored-frames';

// PostgreSQL stays away far longer than the event writer's retries (about 24 s):
// the job's attempt gives up without recording anything (not even a failure,
// which could not be stored either), the operation stays as it is, and once the
// database is back the worker's recovery sweep runs the job again; it continues
// from the chunks already stored and completes. Before, the operation was left
// `running` for good: the job failed, and nothing ever ran it again.

const MAX_TOKENS = 150;
// Longer than the writes that used to end the operation late: the chunk's write gave up
// after about 24 s, then GENERATION_FAILED was retried for another 24 s.
const OUTAGE_MS = 60_000;

describe('PostgreSQL down longer than the event writer retries', () => {
  const cluster = usePostgresFaultCluster({ SIM_TOKENS_PER_SECOND: '25', RECOVERY_SWEEP_MS: '1000' });

  it('the operation is run again once the database is back and completes gap-free, never left running', async () => {
    const { pg, api, worker, auth } = cluster;
    const { id, live } = await followGeneration(cluster, 'the database goes away', MAX_TOKENS, 10);

    const lastBeforeOutage = sseFrames(live.text()).at(-1)!.id;
    await pg.stopImmediately();
    await sleep(OUTAGE_MS);
    await pg.start();
    await live.waitFor(/event: operation\.(completed|failed|cancelled)/, 60_000).catch(async (error: Error) => {
      const op = await (await fetch(`${api.url}/api/operations/${id}`, { headers: auth })).text();
      throw new Error(`${error.message.slice(-500)}\n--- operation ---\n${op}\n--- worker ---\n${worker.output()}`);
    });

    // The fault outlasted the writer: the attempt gave up, recorded nothing, and the sweep revived the job.
    expect(worker.output()).toMatch(/event write failed .*; retrying/);
    expect(worker.output()).toMatch(new RegExp(`job ${id} will run again: operation ${id}: the database is unreachable`));
    expect(worker.output()).toMatch(/recovery sweep revived unfinished operations: 1/);

    const op = (await (await fetch(`${api.url}/api/operations/${id}`, { headers: auth })).json()) as {
      status: string;
      attempts: number;
      error: unknown;
      result: { text: string; tokens: number };
    };
    expect({ status: op.status, error: op.error, attempts: op.attempts }).toEqual({ status: 'completed', error: null, attempts: 2 });

    // What the client that stayed connected saw: exactly the stored sequence (the user has this one operation).
    const stored = await readStoredRows(pg.url, PG_FAULT_USER);
    const frames = sseFrames(live.text());
    expect(unstoredFrames(frames, stored)).toEqual([]);
    expect(frames.map((f) => Number(f.id))).toEqual(stored.map((r) => r.id));
    expect(frames.filter((f) => f.event === 'operation.status').map((f) => f.envelope.data.status)).toEqual([
      'queued',
      'running',
      'retrying',
      'running',
      'completed',
    ]);
    const chunks = frames.filter((f) => f.event === 'operation.content').map((f) => f.envelope.data);
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
    expect(chunks.map((c) => c.text).join('')).toBe(op.result.text);
    expect(op.result.tokens).toBe(MAX_TOKENS);

    // Clients resuming from before the outage, or from nothing, get the same stored sequence.
    for (const after of [Number(lastBeforeOutage), 0]) {
      const resumed = await openRawStream(`${api.url}/api/events/operations/${id}`, { ...auth, 'Last-Event-ID': String(after) });
      await resumed.ended;
      expect(sseFrames(resumed.text()).map((f) => Number(f.id))).toEqual(stored.filter((r) => r.id > after).map((r) => r.id));
    }
  }, 150_000);
});
