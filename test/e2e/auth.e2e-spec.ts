import request from 'supertest';
import { openRawStream, collectEvents } from '../support/sse-client';
import { makeAlgNoneToken, makeToken } from '../support/tokens';
import { ApiClient, publisher, uniqueUserId } from './support/api-client';
import { BootedApp, useHerald } from './support/boot-app';
import { MODES } from './modes';

// SPEC §2 authentication and scopes, §5 REST rate limit. Every test uses users
// of its own: the rate limit below is per user and low.

const RATE_LIMIT = 5;
const OTHER_SECRET = 'not-the-server-secret-but-just-as-long-0123456789';

type BadToken = (herald: BootedApp) => string | undefined;

const BAD_TOKENS: [string, BadToken][] = [
  ['no token', () => undefined],
  ['a token signed with another secret', () => makeToken(OTHER_SECRET, uniqueUserId())],
  ['an expired token', (h) => h.token(uniqueUserId(), { ttlSeconds: -60 })],
  ['an alg:none token', () => makeAlgNoneToken(uniqueUserId())],
  ['a token without sub', (h) => h.token(uniqueUserId(), { claims: { sub: undefined } })],
  ['a token with an empty sub', (h) => h.token('', {})],
  ['a token that is not a JWT', () => 'definitely.not.a-jwt'],
];

const ERROR_BODY_401 = { statusCode: 401, error: 'Unauthorized', message: expect.any(String), code: expect.any(String) };

describe.each(MODES)('auth and rate limit (%s mode)', (mode) => {
  const herald = useHerald(mode, { RATE_LIMIT_PER_MINUTE: String(RATE_LIMIT) });

  describe.each(BAD_TOKENS)('%s', (_case, badToken) => {
    it('is refused on REST with 401 and the JSON error shape only', async () => {
      const token = badToken(herald());
      const req = request(herald().url).get('/api/operations');
      const res = await (token === undefined ? req : req.set('Authorization', `Bearer ${token}`));

      expect(res.status).toBe(401);
      expect(res.headers['content-type']).toMatch(/^application\/json/);
      expect(res.body).toEqual(ERROR_BODY_401);
      expect(res.text).not.toMatch(/\bat .+\.(ts|js):\d+/);
    });

    it('is refused on a stream with 401 before any event-stream byte', async () => {
      const token = badToken(herald());
      const query = token === undefined ? '' : `?access_token=${encodeURIComponent(token)}`;
      const stream = await openRawStream(`${herald().url}/api/events/stream${query}`);
      await stream.ended;

      expect(stream.status).toBe(401);
      expect(stream.headers['content-type']).toMatch(/^application\/json/);
      expect(JSON.parse(stream.text())).toEqual(ERROR_BODY_401);
    });
  });

  it('names what is wrong with the token in its code', async () => {
    const codeFor = async (token?: string) => {
      const req = request(herald().url).get('/api/operations');
      return (await (token === undefined ? req : req.set('Authorization', `Bearer ${token}`))).body.code;
    };
    expect(await codeFor()).toBe('MISSING_TOKEN');
    expect(await codeFor(herald().token(uniqueUserId(), { ttlSeconds: -60 }))).toBe('TOKEN_EXPIRED');
    expect(await codeFor(makeToken(OTHER_SECRET, uniqueUserId()))).toBe('INVALID_TOKEN');
  });

  it('accepts the token as the access_token query parameter on streams (for EventSource)', async () => {
    const alice = new ApiClient(herald());
    const events = await collectEvents(`${herald().url}/api/events/stream?access_token=${alice.token}`, {
      until: (ev) => ev.type === 'stream.ready',
    });

    expect(events.map((e) => e.type)).toEqual(['stream.ready']);
  });

  describe('POST /api/events needs scope events:publish', () => {
    const event = () => ({ userId: uniqueUserId(), type: 'document.saved', data: { ok: true } });

    it('refuses a token without the scope with 403', async () => {
      const plain = new ApiClient(herald());
      const otherScope = new ApiClient(herald(), uniqueUserId(), { scopes: ['events:read'] });

      for (const client of [plain, otherScope]) {
        const res = await client.post('/api/events').send(event());
        expect(res.status).toBe(403);
        expect(res.body).toEqual({ statusCode: 403, error: 'Forbidden', message: expect.any(String), code: expect.any(String) });
      }
    });

    it('accepts a token that has it among other scopes', async () => {
      const service = new ApiClient(herald(), uniqueUserId('service'), { scopes: ['events:read', 'events:publish'] });
      const res = await service.post('/api/events').send(event());
      expect(res.status).toBe(201);
      expect((await publisher(herald()).post('/api/events').send(event())).status).toBe(201);
    });

    it('checks authentication before the scope', async () => {
      const res = await request(herald().url).post('/api/events').send(event());
      expect(res.status).toBe(401);
    });
  });

  describe(`RATE_LIMIT_PER_MINUTE=${RATE_LIMIT}`, () => {
    it('answers 429 RATE_LIMITED with Retry-After once a user is over the limit', async () => {
      const alice = new ApiClient(herald());
      for (let i = 0; i < RATE_LIMIT; i++) expect((await alice.get('/api/operations')).status).toBe(200);

      const refused = await alice.get('/api/operations');
      expect(refused.status).toBe(429);
      expect(refused.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.any(String), code: 'RATE_LIMITED' });
      const retryAfter = Number(refused.headers['retry-after']);
      expect(retryAfter).toBeGreaterThanOrEqual(1);
      expect(retryAfter).toBeLessThanOrEqual(60);
      // Every route counts, streams included.
      expect((await alice.post('/api/operations').send({})).status).toBe(429);
      expect((await openRawStream(`${herald().url}/api/events/stream?access_token=${alice.token}`)).status).toBe(429);
    });

    it('counts each user on their own', async () => {
      const alice = new ApiClient(herald());
      const bob = new ApiClient(herald());
      for (let i = 0; i <= RATE_LIMIT; i++) await alice.get('/api/operations');

      expect((await alice.get('/api/operations')).status).toBe(429);
      expect((await bob.get('/api/operations')).status).toBe(200);
    });

    it('does not count refused tokens or health checks against anyone', async () => {
      for (let i = 0; i <= RATE_LIMIT; i++) {
        expect((await request(herald().url).get('/api/operations')).status).toBe(401);
        expect((await request(herald().url).get('/health/live')).status).toBe(200);
      }
      expect((await new ApiClient(herald()).get('/api/operations')).status).toBe(200);
    });
  });
});
