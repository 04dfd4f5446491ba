import { HeraldProcess, startHerald, stopAllHeralds } from '../support/herald-process';
import { openRawStream } from '../support/raw-stream';
import { makeToken } from '../support/tokens';

// Per-type retention: events past their type's horizon are deleted by the
// scheduled sweep, others stay, and a client resuming from before a deleted
// event is told so with stream.gap before the replay.

const SECRET = 'retention-secret-0123456789abcdefghij';
const USER = 'reader-1';
const service = { Authorization: `Bearer ${makeToken(SECRET, 'svc', { scopes: ['events:publish'] })}` };
const reader = { Authorization: `Bearer ${makeToken(SECRET, USER)}` };

async function publish(herald: HeraldProcess, type: string, n: number): Promise<string> {
  const res = await fetch(`${herald.url}/api/events`, {
    method: 'POST',
    headers: { ...service, 'Content-Type': 'application/json' },
    body: JSON.stringify({ userId: USER, type, data: { n } }),
  });
  expect(res.status).toBe(201);
  return ((await res.json()) as { id: string }).id;
}

async function storedTypes(herald: HeraldProcess): Promise<string[]> {
  const res = await fetch(`${herald.url}/api/events?after=0`, { headers: reader });
  return ((await res.json()) as { events: { type: string }[] }).events.map((e) => e.type);
}

describe('retention', () => {
  let herald: HeraldProcess;
  beforeAll(async () => {
    herald = await startHerald({
      env: { JWT_SECRET: SECRET, RETENTION_TEST_BRIEF: '1s', RETENTION_SWEEP_MS: '300', LOG_LEVEL: 'warn' },
    });
  }, 60_000);
  afterAll(() => stopAllHeralds());

  it('deletes only expired types and answers a resume from before them with stream.gap', async () => {
    const brief = await publish(herald, 'test.brief', 1);
    const kept = await publish(herald, 'test.keep', 2);
    expect(await storedTypes(herald)).toEqual(['test.brief', 'test.keep']);

    const deadline = Date.now() + 10_000;
    while ((await storedTypes(herald)).includes('test.brief')) {
      if (Date.now() > deadline) throw new Error('the expired event was never swept');
      await new Promise((r) => setTimeout(r, 200));
    }
    expect(await storedTypes(herald)).toEqual(['test.keep']);

    const fromStart = await openRawStream(`${herald.url}/api/events/stream`, { ...reader, 'Last-Event-ID': '0' });
    const text = await fromStart.waitFor(`id: ${kept}`);
    fromStart.close();
    const gapAt = text.indexOf('event: stream.gap');
    expect(gapAt).toBeGreaterThan(0);
    expect(text.indexOf(`id: ${kept}`)).toBeGreaterThan(gapAt);
    expect(text).toContain('"reason":"retention","after":"0"');
    expect(text).not.toContain(`id: ${brief}\n`);

    // A client that had already received the deleted event lost nothing: no gap.
    const after = await openRawStream(`${herald.url}/api/events/stream`, { ...reader, 'Last-Event-ID': brief });
    const rest = await after.waitFor(`id: ${kept}`);
    after.close();
    expect(rest).not.toContain('stream.gap');
  }, 60_000);
});
