import { EventEnvelope, HeraldClient, OperationContentData, SubscriptionStatus } from '@herald/client';
import { HeraldProcess, startHerald, stopAllHeralds } from '../support/herald-process';
import { makeToken } from '../support/tokens';

// The SDK in Node 20 against a real embedded Herald: REST operations, and a
// subscription that survives the server being killed and restarted, resuming
// by Last-Event-ID with no chunk lost or repeated.

const SECRET = 'sdk-e2e-secret-0123456789abcdef0123';
const env = (dataDir?: string) => ({
  JWT_SECRET: SECRET,
  SIM_TOKENS_PER_SECOND: '20',
  SSE_RETRY_MS: '300',
  HERALD_DATA_DIR: dataDir,
});

afterAll(() => stopAllHeralds());

describe('@herald/client against Herald', () => {
  it('starts (idempotently), gets, lists and cancels operations', async () => {
    const herald = await startHerald({ env: env() });
    const client = new HeraldClient({ baseUrl: herald.url, token: makeToken(SECRET, 'sdk-rest') });
    const request = { kind: 'text-generation' as const, input: { prompt: 'an idempotent start', maxTokens: 2000 } };

    const first = await client.startOperation(request, { idempotencyKey: 'sdk-key-1' });
    const again = await client.startOperation(request, { idempotencyKey: 'sdk-key-1' });
    expect(again.id).toBe(first.id);
    expect(first.links.events).toBe(`/api/events/operations/${first.id}`);

    const list = await client.listOperations({ limit: 10 });
    expect(list.items.map((o) => o.id)).toEqual([first.id]);

    await client.cancelOperation(first.id);
    const done = await client.subscribeToOperation(first.id).done;
    expect(done.reason).toBe('ended');
    expect((await client.getOperation(first.id)).status).toBe('cancelled');
    // Repeating a cancel is harmless (202).
    await expect(client.cancelOperation(first.id)).resolves.toBeUndefined();
    await expect(client.getOperation('00000000-0000-4000-8000-000000000000')).rejects.toMatchObject({
      status: 404,
      code: 'NOT_FOUND',
    });
  });

  it('resumes after the server is killed and restarted: every chunk exactly once, ending in the stored result', async () => {
    let herald: HeraldProcess = await startHerald({ env: env() });
    let token = makeToken(SECRET, 'sdk-resume');
    let tokensIssued = 0;
    const client = new HeraldClient({
      baseUrl: herald.url,
      // A fresh token per connection, as an app refreshing short-lived tokens would give.
      token: () => {
        tokensIssued++;
        return token;
      },
    });
    const op = await client.startOperation({ kind: 'text-generation', input: { prompt: 'survive a crash', maxTokens: 120 } });

    const events: EventEnvelope[] = [];
    const states: SubscriptionStatus['state'][] = [];
    let reachedTen: () => void = () => undefined;
    const tenChunks = new Promise<void>((resolve) => (reachedTen = resolve));
    const subscription = client.subscribeToOperation(op.id, {
      onEvent: (e) => {
        events.push(e);
        if (events.filter((x) => x.type === 'operation.content').length === 10) reachedTen();
      },
      onStatus: (s) => states.push(s.state),
    });

    await tenChunks;
    await herald.kill('SIGKILL');
    herald = await startHerald({ env: env(herald.dataDir), port: herald.port });
    token = makeToken(SECRET, 'sdk-resume');
    const end = await subscription.done;

    expect(end.reason).toBe('ended');
    expect(states).toContain('reconnecting');
    expect(states[states.length - 1]).toBe('closed');
    expect(tokensIssued).toBeGreaterThan(1);

    const ids = events.map((e) => Number(e.id));
    expect(ids).toEqual([...new Set(ids)].sort((a, b) => a - b));
    const chunks = events.filter((e) => e.type === 'operation.content').map((e) => e.data as unknown as OperationContentData);
    expect(chunks.map((c) => c.index)).toEqual(chunks.map((_, i) => i));
    const stored = await client.getOperation(op.id);
    expect(stored.status).toBe('completed');
    expect(chunks.map((c) => c.text).join('')).toBe(stored.result!.text);
    expect(events[events.length - 1].type).toBe('operation.completed');
    expect(end.lastEventId).toBe(events[events.length - 1].id);
  });
});
