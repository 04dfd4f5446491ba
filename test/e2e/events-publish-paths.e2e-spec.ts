import type { IncomingMessage } from 'node:http';
import { connect } from 'node:net';
import type { EventEnvelope } from '@herald/contracts';
import { PublishRawRoute } from '../../src/events/publish.raw-route';
import { ApiClient, publisher, sleep } from './support/api-client';
import { useHerald } from './support/boot-app';
import { watchRawRoute } from './support/raw-route-spy';
import { MODES } from './modes';

// POST /api/events has two ways in: PublishRawRoute answers plain requests
// from services ahead of Express, EventsController everything else. Clients
// must not be able to tell them apart: the same request gets the same answer,
// whichever path took it. An Origin header sends a request to the controller
// (browsers need its CORS handling), so each request below is made both ways.

const isPublish = (request: IncomingMessage): boolean => request.method === 'POST' && request.url?.startsWith('/api/events') === true;

interface Answer {
  status: number;
  body: unknown;
  headers: Headers;
}

async function post(url: string, body: string, headers: Record<string, string>): Promise<Answer> {
  const res = await fetch(`${url}/api/events`, { method: 'POST', headers, body });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : undefined, headers: res.headers };
}

/** Ids differ between two stored events; everything else must not. */
function comparable(answer: Answer): unknown {
  const body = answer.body as { id?: unknown } | undefined;
  const id = body?.id;
  return { status: answer.status, body: typeof id === 'string' && /^\d+$/.test(id) ? { ...body, id: '<stored id>' } : body };
}

describe.each(MODES)('POST /api/events: the raw route answers as the controller does (%s mode)', (mode) => {
  const herald = useHerald(mode);
  const rawRouteTook = watchRawRoute(herald, PublishRawRoute, isPublish);

  let service: ApiClient;
  let alice: ApiClient;
  const headers = () => ({ Authorization: `Bearer ${service.token}`, 'Content-Type': 'application/json' });
  const bothWays = async (body: string) => {
    const plain = await post(herald().url, body, headers());
    const viaController = await post(herald().url, body, { ...headers(), Origin: 'http://elsewhere.test' });
    expect(rawRouteTook()).toEqual([true, false]);
    return { plain, viaController };
  };

  beforeAll(() => {
    service = publisher(herald());
    alice = new ApiClient(herald());
  });

  const event = (extra: Record<string, unknown> = {}) => JSON.stringify({ userId: alice.userId, type: 'doc.saved', data: { n: 1 }, ...extra });
  const pairOfSurrogates = '\ud83c\udf0a';

  it.each([
    ['a minimal event', () => event()],
    ['every optional field', () => event({ workflowId: 'wf-1', agentId: 'ag:1', persistent: true })],
    ['persistent: false', () => event({ persistent: false })],
    ['a null operationId (optional fields may be null)', () => event({ operationId: null })],
    ['an operationId that is not one of the user\'s operations', () => event({ operationId: '6f1c3b7e-2a51-4d7e-9a1e-3c1f0e2b4d5a' })],
    ['a userId of 256 characters', () => event({ userId: 'u'.repeat(256) })],
    ['a userId of 257 characters', () => event({ userId: 'u'.repeat(257) })],
    ['a userId of 200 emoji (400 UTF-16 units, 200 characters)', () => event({ userId: pairOfSurrogates.repeat(200) })],
    ['an empty userId', () => event({ userId: '' })],
    ['a reserved type', () => event({ type: 'operation.completed' })],
    ['a type that is not a string', () => event({ type: 7 })],
    ['data that is an array', () => event({ data: [1] })],
    ['data that is null', () => event({ data: null })],
    ['data over 64 KiB', () => event({ data: { blob: 'x'.repeat(64 * 1024) } })],
    ['data with NUL, newlines and a forged SSE field', () => event({ data: { text: 'a\u0000b\n\nevent: operation.completed\nid: 9\r\n' } })],
    ['an unknown field', () => event({ priority: 1 })],
    ['a __proto__ field', () => `{"__proto__":{"admin":true},${event().slice(1)}`],
    ['a malformed workflowId', () => event({ workflowId: 'has space' })],
    ['persistent that is not a boolean', () => event({ persistent: 'no' })],
    ['a byte-order mark and whitespace before the JSON', () => `\ufeff \r\n\t${event()}`],
    ['JSON cut short', () => event().slice(0, -3)],
    ['a JSON string instead of an object', () => '"doc.saved"'],
    ['a JSON array', () => `[${event()}]`],
    ['a JSON number', () => '42'],
  ])('%s', async (_case, body) => {
    const { plain, viaController } = await bothWays(body());

    expect(comparable(plain)).toEqual(comparable(viaController));
    expect(plain.headers.get('content-type')).toBe('application/json; charset=utf-8');
  });

  it('stores and delivers what either way accepted alike', async () => {
    const bob = new ApiClient(herald());
    const body = JSON.stringify({ userId: bob.userId, type: 'doc.saved', data: { text: 'a\u0000b\n\nid: 9' }, workflowId: 'wf-2' });
    const { plain, viaController } = await bothWays(body);

    const stored = await bob.storedEvents();
    expect(stored.map((e) => e.id)).toEqual([(plain.body as { id: string }).id, (viaController.body as { id: string }).id]);
    const [a, b] = stored.map(({ id: _id, ts: _ts, ...rest }: EventEnvelope) => rest);
    expect(a).toEqual(b);
    expect(a.data).toEqual({ text: 'a\u0000b\n\nid: 9' });
  });

  it.each([
    ['a token that does not verify', (h: Record<string, string>) => ({ ...h, Authorization: 'Bearer not.a.token' }), 401],
    ['no token', ({ Authorization: _a, ...h }: Record<string, string>) => h, 401],
    ['a token without scope events:publish', (h: Record<string, string>) => ({ ...h, Authorization: `Bearer ${alice.token}` }), 403],
    ['a content type with other parameters', (h: Record<string, string>) => ({ ...h, 'Content-Type': 'application/json; charset=utf-8; x=1' }), 201],
    ['a compressed body', (h: Record<string, string>) => ({ ...h, 'Content-Encoding': 'identity' }), 201],
  ])('leaves %s to the controller', async (_case, change, status) => {
    const res = await post(herald().url, event(), change(headers()));

    expect(res.status).toBe(status);
    expect(rawRouteTook()).toEqual([false]);
  });

  it('leaves a request with a query string or a chunked body to the controller', async () => {
    const withQuery = await fetch(`${herald().url}/api/events?x=1`, { method: 'POST', headers: headers(), body: event() });
    const chunked = await fetch(`${herald().url}/api/events`, {
      method: 'POST',
      headers: headers(),
      body: new Blob([event()]).stream(),
      duplex: 'half',
    } as RequestInit);

    expect([withQuery.status, chunked.status]).toEqual([201, 201]);
    expect(rawRouteTook()).toEqual([false, false]);
  });

  it('leaves a body over the size limit to the controller, which refuses it unread', async () => {
    const big = event({ data: { blob: 'x'.repeat(herald().config.limits.bodyLimitBytes) } });
    const res = await post(herald().url, big, headers());

    expect(res.status).toBe(413);
    expect(res.body).toMatchObject({ code: 'PAYLOAD_TOO_LARGE' });
    expect(rawRouteTook()).toEqual([false]);
  });

  it('stores nothing for a client that leaves halfway through its body, and goes on serving', async () => {
    const bob = new ApiClient(herald());
    const body = JSON.stringify({ userId: bob.userId, type: 'doc.saved', data: { n: 1 } });
    const { port } = new URL(herald().url);
    const socket = connect(Number(port), '127.0.0.1');
    await new Promise((resolve) => socket.once('connect', resolve));
    socket.write(
      `POST /api/events HTTP/1.1\r\nHost: 127.0.0.1\r\nAuthorization: Bearer ${service.token}\r\n` +
        `Content-Type: application/json\r\nContent-Length: ${body.length}\r\n\r\n${body.slice(0, 20)}`,
    );
    await sleep(200);
    socket.destroy();
    await sleep(200);

    expect(rawRouteTook()).toEqual([true]);
    expect(await bob.storedEvents()).toEqual([]);
    const after = await post(herald().url, body, headers());
    expect(after.status).toBe(201);
    expect((await bob.storedEvents()).map((e) => e.id)).toEqual([(after.body as { id: string }).id]);
  });
});

describe('POST /api/events: the raw route keeps the rate limit', () => {
  const herald = useHerald('embedded', { RATE_LIMIT_PER_MINUTE: '3' });
  const rawRouteTook = watchRawRoute(herald, PublishRawRoute, isPublish);

  it('refuses the publish past the limit with 429 and Retry-After, storing nothing', async () => {
    const service = publisher(herald());
    const alice = new ApiClient(herald());
    const headers = { Authorization: `Bearer ${service.token}`, 'Content-Type': 'application/json' };
    const body = JSON.stringify({ userId: alice.userId, type: 'doc.saved', data: {} });
    const answers: Answer[] = [];
    for (let i = 0; i < 4; i++) answers.push(await post(herald().url, body, headers));

    expect(rawRouteTook()).toEqual([true, true, true, true]);
    expect(answers.map((a) => a.status)).toEqual([201, 201, 201, 429]);
    expect(answers[3].body).toMatchObject({ statusCode: 429, code: 'RATE_LIMITED' });
    expect(Number(answers[3].headers.get('retry-after'))).toBeGreaterThan(0);
    // Alice's own reads count against her limit, not the service's.
    expect(await alice.storedEvents()).toHaveLength(3);
  });
});
