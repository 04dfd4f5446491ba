import { generateKeyPairSync, randomBytes } from 'node:crypto';
import { HeraldProcess, startHerald, stopAllHeralds } from '../support/herald-process';
import { openRawStream } from '../support/raw-stream';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { cleanupRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../support/test-redis';
import { Claims, forge, hmac, hs256, rs256, validClaims, withHeader, withPayload } from './support/jwt-forge';

// SPEC §2 over HTTP against real processes: one verifying HS256 with a secret,
// one RS256 with a public key, both checking issuer and audience. Every forged,
// tampered, stale or malformed token is refused with 401 and the JSON error
// shape — on REST and on a stream — and no answer carries a stack trace, a
// library message or the server's configuration.

const SECRET = `jwt-e2e-${randomBytes(24).toString('hex')}`;
const ISSUER = 'https://issuer.herald.test';
const AUDIENCE = 'herald-e2e-audience';
const USER = 'jwt-user';
const server = generateKeyPairSync('rsa', { modulusLength: 2048 });
const attacker = generateKeyPairSync('rsa', { modulusLength: 2048 });
const PUBLIC_PEM = server.publicKey.export({ type: 'spki', format: 'pem' }).toString();

type Target = 'hs' | 'rs';
const now = () => Math.floor(Date.now() / 1000);
const valid = (extra: Claims = {}) => ({ ...validClaims(USER, ISSUER, AUDIENCE), ...extra });
const without = (key: string): Claims => {
  const claims = valid();
  delete claims[key];
  return claims;
};
const HS = { alg: 'HS256', typ: 'JWT' };
const RS = { alg: 'RS256', typ: 'JWT' };
const goodHs = () => forge(HS, valid(), hs256(SECRET));
const goodRs = () => forge(RS, valid(), rs256(server.privateKey));
const randomSegment = () => randomBytes(120).toString('base64url');

const ATTACKS: [string, Target, () => string][] = [
  ['alg none', 'hs', () => forge({ alg: 'none', typ: 'JWT' }, valid())],
  ['alg None (case variant)', 'hs', () => forge({ alg: 'None' }, valid())],
  ['alg none keeping a real signature', 'hs', () => forge({ alg: 'none' }, valid(), hs256(SECRET))],
  ['alg none on the public-key server', 'rs', () => forge({ alg: 'none' }, valid())],
  ['HS256 signed with the public key PEM (algorithm confusion)', 'rs', () => forge(HS, valid(), hs256(PUBLIC_PEM))],
  ['RS256 signed by an attacker key', 'rs', () => forge(RS, valid(), rs256(attacker.privateKey))],
  ['RS256 carrying its own attacker JWK', 'rs', () =>
    forge({ ...RS, jwk: attacker.publicKey.export({ format: 'jwk' }) }, valid(), rs256(attacker.privateKey))],
  ['RS256 on the secret server', 'hs', () => forge(RS, valid(), rs256(attacker.privateKey))],
  ['HS512 signed with the right secret', 'hs', () => forge({ alg: 'HS512' }, valid(), hmac(SECRET, 'sha512'))],
  ['HS256 signed with another secret', 'hs', () => forge(HS, valid(), hs256('another-secret-of-a-perfectly-fine-length'))],
  ['payload tampered (sub changed), signature kept', 'hs', () => withPayload(goodHs(), valid({ sub: 'someone-else' }))],
  ['payload tampered on the public-key server', 'rs', () => withPayload(goodRs(), valid({ sub: 'someone-else' }))],
  ['header tampered (alg switched), signature kept', 'hs', () => withHeader(goodHs(), { alg: 'HS384' })],
  ['signature stripped', 'hs', () => goodHs().split('.').slice(0, 2).join('.') + '.'],
  ['expired', 'hs', () => forge(HS, valid({ iat: now() - 7200, exp: now() - 3600 }), hs256(SECRET))],
  ['expired on the public-key server', 'rs', () => forge(RS, valid({ exp: now() - 60 }), rs256(server.privateKey))],
  ['not yet valid (nbf)', 'hs', () => forge(HS, valid({ nbf: now() + 3600 }), hs256(SECRET))],
  ['exp not a number', 'hs', () => forge(HS, valid({ exp: 'tomorrow' }), hs256(SECRET))],
  ['wrong issuer', 'hs', () => forge(HS, valid({ iss: 'https://evil.test' }), hs256(SECRET))],
  ['no issuer', 'hs', () => forge(HS, without('iss'), hs256(SECRET))],
  ['wrong audience', 'hs', () => forge(HS, valid({ aud: 'another-service' }), hs256(SECRET))],
  ['wrong audience on the public-key server', 'rs', () => forge(RS, valid({ aud: 'another-service' }), rs256(server.privateKey))],
  ['no sub', 'hs', () => forge(HS, without('sub'), hs256(SECRET))],
  ['sub not a string', 'hs', () => forge(HS, valid({ sub: 42 }), hs256(SECRET))],
  ['empty sub', 'hs', () => forge(HS, valid({ sub: '' }), hs256(SECRET))],
  ['sub with control characters', 'hs', () => forge(HS, valid({ sub: 'bob\nadmin' }), hs256(SECRET))],
  ['garbage word', 'hs', () => 'garbage'],
  ['three empty segments', 'hs', () => '..'],
  ['three random segments', 'hs', () => `${randomSegment()}.${randomSegment()}.${randomSegment()}`],
  ['header that is not JSON', 'hs', () => `${Buffer.from('not json').toString('base64url')}.${goodHs().split('.')[1]}.x`],
  ['payload that is not JSON', 'rs', () => `${goodRs().split('.')[0]}.${Buffer.from('{"sub":').toString('base64url')}.x`],
  ['four segments', 'hs', () => `${goodHs()}.extra`],
  ['an 8 KB token', 'hs', () => 'A'.repeat(8 * 1024)],
];

// Anything that would tell an attacker how the server works or how it is configured.
const LEAKS: RegExp[] = [
  /\bat \S+ \(|\bat \S+:\d+:\d+/,
  /\.(js|ts):\d+/,
  /node_modules|jsonwebtoken|passport/i,
  /[A-Za-z]+Error\b/,
  /stack/i,
  new RegExp(ISSUER.replace(/[.*+?^${}()|[\]\\/]/g, '\\$&')),
  new RegExp(AUDIENCE),
  new RegExp(SECRET),
  /BEGIN PUBLIC KEY/,
];

function expectRefusal(status: number, contentType: string | null | undefined, text: string): void {
  expect(status).toBe(401);
  expect(contentType).toMatch(/^application\/json/);
  const body = JSON.parse(text) as Record<string, unknown>;
  expect(Object.keys(body).sort()).toEqual(['code', 'error', 'message', 'statusCode']);
  expect(body).toMatchObject({ statusCode: 401, error: 'Unauthorized', message: expect.any(String), code: expect.any(String) });
  for (const leak of LEAKS) expect(text).not.toMatch(leak);
}

describe('JWT attacks over HTTP on real processes', () => {
  let db: TestDatabase;
  const prefix = uniqueRedisPrefix();
  const servers = {} as Record<Target, HeraldProcess>;

  beforeAll(async () => {
    db = await createTestDatabase();
    const common = { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE };
    // One at a time: the first applies the migrations.
    servers.hs = await startHerald({ role: 'api', env: { ...common, JWT_SECRET: SECRET } });
    servers.rs = await startHerald({ role: 'api', env: { ...common, JWT_PUBLIC_KEY: PUBLIC_PEM } });
  }, 90_000);

  afterAll(async () => {
    await stopAllHeralds();
    await cleanupRedisPrefix(prefix);
    await db?.drop();
  }, 60_000);

  it.each([
    ['hs', goodHs],
    ['rs', goodRs],
  ] as [Target, () => string][])('accepts a valid token on the %s server (so every refusal below is the token)', async (target, token) => {
    const res = await fetch(`${servers[target].url}/api/operations`, { headers: { Authorization: `Bearer ${token()}` } });
    expect(res.status).toBe(200);
  });

  it.each(ATTACKS)('refuses %s with 401 on REST and on a stream, revealing nothing', async (_name, target, make) => {
    const token = make();
    const base = servers[target].url;
    const auth = { Authorization: `Bearer ${token}` };

    const get = await fetch(`${base}/api/operations`, { headers: auth });
    expectRefusal(get.status, get.headers.get('content-type'), await get.text());

    const post = await fetch(`${base}/api/operations`, {
      method: 'POST',
      headers: { ...auth, 'Content-Type': 'application/json' },
      body: JSON.stringify({ kind: 'text-generation', input: { prompt: 'should never run' } }),
    });
    expectRefusal(post.status, post.headers.get('content-type'), await post.text());

    // EventSource's way: the token in the query, refused before any event-stream byte.
    const stream = await openRawStream(`${base}/api/events/stream?access_token=${encodeURIComponent(token)}`);
    await stream.ended;
    expectRefusal(stream.status, stream.headers['content-type'], stream.text());
    expect(stream.text()).not.toMatch(/^(event|data|id|retry):/m);
  });
});
