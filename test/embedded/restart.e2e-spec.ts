import { writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeraldProcess, startHerald, stopAllHeralds } from '../support/herald-process';
import { openRawStream } from '../support/raw-stream';
import { makeToken } from '../support/tokens';

// Embedded mode across a crash: one process, PGlite on disk, in-process queue.
// Killing it mid-generation and starting it again on the same data directory
// must lose nothing: the operation continues where it stopped and a client
// resuming by Last-Event-ID gets exactly what it missed.

const SECRET = 'embedded-restart-secret-0123456789abcdef';
const USER = 'writer-1';
const token = makeToken(SECRET, USER);
const auth = { Authorization: `Bearer ${token}` };

interface Frame {
  id?: string;
  event?: string;
  data?: string;
}

function parseFrames(text: string): Frame[] {
  return text
    .split('\n\n')
    .filter((block) => block.trim() !== '')
    .map((block) => {
      const frame: Frame = {};
      for (const line of block.split('\n')) {
        const at = line.indexOf(': ');
        if (at < 0) continue;
        const field = line.slice(0, at) as keyof Frame;
        if (field === 'id' || field === 'event' || field === 'data') frame[field] = line.slice(at + 2);
      }
      return frame;
    });
}

async function start(dataDir?: string, port?: number): Promise<HeraldProcess> {
  return startHerald({
    env: { JWT_SECRET: SECRET, SIM_TOKENS_PER_SECOND: '20', HERALD_DATA_DIR: dataDir, LOG_LEVEL: 'warn' },
    port,
  });
}

describe('embedded mode across restarts', () => {
  afterAll(() => stopAllHeralds());

  it('continues an interrupted operation and resumes the client gap-free after SIGKILL', async () => {
    let herald = await start();
    const dataDir = herald.dataDir!;
    const created = await fetch(`${herald.url}/api/operations`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'text-generation', input: { prompt: 'a crash in the middle', maxTokens: 60 } }),
    });
    const op = (await created.json()) as { id: string };

    const first = await openRawStream(`${herald.url}/api/events/operations/${op.id}`, auth);
    await first.waitFor((t) => (t.match(/event: operation\.content/g) ?? []).length >= 10, 20_000);
    first.close();
    const before = parseFrames(first.text()).filter((f) => f.id);
    const lastSeen = before[before.length - 1].id!;

    await herald.kill('SIGKILL');
    herald = await start(dataDir, herald.port);

    const resumed = await openRawStream(`${herald.url}/api/events/operations/${op.id}`, {
      ...auth,
      'Last-Event-ID': lastSeen,
    });
    await resumed.ended;
    const after = parseFrames(resumed.text()).filter((f) => f.id);

    const all = [...before, ...after];
    const ids = all.map((f) => Number(f.id));
    expect(ids).toEqual([...ids].sort((a, b) => a - b));
    expect(new Set(ids).size).toBe(ids.length);

    const types = after.map((f) => f.event);
    expect(types).toContain('operation.completed');
    const statuses = all
      .filter((f) => f.event === 'operation.status')
      .map((f) => JSON.parse(f.data!).data.status as string);
    expect(statuses).toEqual(['queued', 'running', 'retrying', 'running', 'completed']);

    const chunks = all.filter((f) => f.event === 'operation.content').map((f) => JSON.parse(f.data!).data);
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
    const text = chunks.map((c) => c.text).join('');
    const stored = (await (await fetch(`${herald.url}/api/operations/${op.id}`, { headers: auth })).json()) as {
      status: string;
      result: { text: string; tokens: number };
    };
    expect(stored.status).toBe('completed');
    expect(stored.result.text).toBe(text);
    expect(stored.result.tokens).toBe(60);
  }, 90_000);

  it('keeps the development secret across restarts so printed tokens stay valid', async () => {
    const env = { SIM_TOKENS_PER_SECOND: '20', LOG_LEVEL: 'warn' };
    let herald = await startHerald({ env: { ...env, JWT_SECRET: undefined } });
    const line = await herald.waitForOutput(/Herald is running: http/);
    const printed = /token=(\S+)/.exec(line)![1];
    const dataDir = herald.dataDir!;
    await herald.kill();
    herald = await startHerald({ env: { ...env, JWT_SECRET: undefined, HERALD_DATA_DIR: dataDir } });
    const res = await fetch(`${herald.url}/api/operations`, { headers: { Authorization: `Bearer ${printed}` } });
    expect(res.status).toBe(200);
  }, 60_000);

  it('refuses a data directory written by an incompatible version, naming it, and exits non-zero', async () => {
    const herald = await start();
    const dataDir = herald.dataDir!;
    await herald.kill();
    writeFileSync(join(dataDir, 'herald-data.json'), JSON.stringify({ format: 999, createdBy: '99.0.0' }));
    await expect(start(dataDir)).rejects.toThrow(/written by Herald 99\.0\.0/);
  }, 60_000);

  it('says the port is in use and exits non-zero', async () => {
    const herald = await start();
    // The readiness probe is answered by the first process, so judge the second by how it exits.
    const second = await start(undefined, herald.port);
    expect(await second.exited).toBe(1);
    expect(second.output()).toMatch(new RegExp(`Port ${herald.port} is already in use`));
  }, 60_000);
});
