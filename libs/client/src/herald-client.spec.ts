import { FakeHerald, sendError, sendJson } from '../test/fake-herald';
import { HeraldClient } from './herald-client';
import { HeraldError } from './errors';

const OP_ID = '0b7d3d5e-6a53-4c8a-9d4e-1f1f7c0e9a11';
const accepted = { id: OP_ID, kind: 'text-generation', status: 'queued', createdAt: 't', links: {} };

let fake: FakeHerald | undefined;
afterEach(async () => {
  await fake?.close();
  fake = undefined;
});

describe('HeraldClient', () => {
  it('starts an operation with a generated Idempotency-Key, kept across a retry after a gateway error', async () => {
    fake = await FakeHerald.start((req, res, n) => (n === 0 ? sendError(res, 503, 'UNAVAILABLE') : sendJson(res, 202, accepted)));
    const client = new HeraldClient({ baseUrl: `${fake.url}/`, token: 'tk' });
    const result = await client.startOperation({ kind: 'text-generation', input: { prompt: 'hi' } });

    expect(result).toEqual(accepted);
    const [first, second] = fake.requests;
    expect(first).toMatchObject({ method: 'POST', path: '/api/operations' });
    expect(JSON.parse(first.body)).toEqual({ kind: 'text-generation', input: { prompt: 'hi' } });
    expect(first.headers['content-type']).toBe('application/json');
    expect(first.headers.authorization).toBe('Bearer tk');
    expect(first.headers['idempotency-key']).toMatch(/^[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$/);
    expect(second.headers['idempotency-key']).toBe(first.headers['idempotency-key']);
  });

  it('sends the caller’s Idempotency-Key as given', async () => {
    fake = await FakeHerald.start((req, res) => sendJson(res, 202, accepted));
    await new HeraldClient({ baseUrl: fake.url }).startOperation(
      { kind: 'pipeline', input: { stages: [{ name: 'plot', prompt: 'p' }] } },
      { idempotencyKey: 'draft-42' },
    );
    expect(fake.requests[0].headers['idempotency-key']).toBe('draft-42');
  });

  it('turns an error answer into a HeraldError with the API code, without retrying a client error', async () => {
    fake = await FakeHerald.start((req, res) => sendError(res, 429, 'TOO_MANY_OPERATIONS', { 'Retry-After': '3' }));
    const error = await new HeraldClient({ baseUrl: fake.url })
      .startOperation({ kind: 'text-generation', input: { prompt: 'x' } })
      .catch((e: unknown) => e);
    expect(error).toBeInstanceOf(HeraldError);
    expect(error).toMatchObject({ status: 429, code: 'TOO_MANY_OPERATIONS', retryAfterMs: 3000, permanent: false });
    expect(fake.requests).toHaveLength(1);
  });

  it('gets, lists and cancels', async () => {
    fake = await FakeHerald.start((req, res) => {
      if (req.method === 'POST') return sendJson(res, 202, { id: OP_ID, cancelRequested: true });
      if (req.path === '/api/operations') return sendJson(res, 200, { items: [], nextCursor: null });
      sendJson(res, 200, { id: OP_ID, status: 'running' });
    });
    const client = new HeraldClient({ baseUrl: fake.url });
    await expect(client.getOperation(OP_ID)).resolves.toMatchObject({ id: OP_ID, status: 'running' });
    await expect(client.listOperations({ status: 'running', limit: 5, workflowId: 'wf:1' })).resolves.toEqual({
      items: [],
      nextCursor: null,
    });
    await expect(client.cancelOperation(OP_ID)).resolves.toBeUndefined();

    expect(fake.requests.map((r) => `${r.method} ${r.path}?${r.query}`)).toEqual([
      `GET /api/operations/${OP_ID}?`,
      'GET /api/operations?status=running&limit=5&workflowId=wf%3A1',
      `POST /api/operations/${OP_ID}/cancel?`,
    ]);
  });

  it('reports a request that got no answer as NETWORK_ERROR after its retries', async () => {
    fake = await FakeHerald.start(() => undefined);
    const url = fake.url;
    await fake.close();
    fake = undefined;
    await expect(new HeraldClient({ baseUrl: url }).getOperation(OP_ID)).rejects.toMatchObject({
      status: null,
      code: 'NETWORK_ERROR',
    });
  });

  it('polls GET /api/events once', async () => {
    fake = await FakeHerald.start((req, res) => sendJson(res, 200, { events: [], lastEventId: '9' }));
    const page = await new HeraldClient({ baseUrl: fake.url }).pollEvents({
      after: '3',
      types: ['operation.content'],
      waitSeconds: 5,
    });
    expect(page).toEqual({ events: [], lastEventId: '9' });
    expect(Object.fromEntries(fake.requests[0].query)).toEqual({ after: '3', types: 'operation.content', wait: '5' });
  });
});
