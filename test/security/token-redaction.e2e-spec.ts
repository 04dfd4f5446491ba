import { randomBytes } from 'node:crypto';
import { HeraldProcess, startHerald, stopAllHeralds } from '../support/herald-process';
import { openRawStream } from '../support/raw-stream';
import { createTestDatabase, TestDatabase } from '../support/test-database';
import { cleanupRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../support/test-redis';
import { makeToken } from '../support/tokens';

// SPEC §2: tokens never appear in logs. A process logging everything (trace)
// gets tokens every way a client sends them — Authorization header, the
// access_token query parameter of REST and SSE requests (also percent-encoded
// and in other letter cases), the demo page's ?token=, a Referer carrying
// such an address — valid or not; its
// whole output must hold none of them, and show where they were redacted.

const SECRET = `redaction-${randomBytes(24).toString('hex')}`;

describe('tokens never reach the logs', () => {
  let db: TestDatabase;
  const prefix = uniqueRedisPrefix();
  let api: HeraldProcess;
  const sent: string[] = [];
  /** A fresh valid token for each request, so each can be looked for on its own. */
  const token = () => {
    const t = makeToken(SECRET, `user-${randomBytes(4).toString('hex')}`);
    sent.push(t);
    return t;
  };
  const forged = () => {
    const t = `eyJhbGciOiJIUzI1NiJ9.${randomBytes(24).toString('base64url')}.${randomBytes(32).toString('base64url')}`;
    sent.push(t);
    return t;
  };

  beforeAll(async () => {
    db = await createTestDatabase();
    api = await startHerald({
      role: 'api',
      env: { DATABASE_URL: db.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: prefix, JWT_SECRET: SECRET, LOG_LEVEL: 'trace' },
    });
  }, 90_000);

  afterAll(async () => {
    await stopAllHeralds();
    await cleanupRedisPrefix(prefix);
    await db?.drop();
  }, 60_000);

  it('redacts the Authorization header and token query parameters, valid or not', async () => {
    const get = async (path: string, headers: Record<string, string> = {}) => {
      const res = await fetch(`${api.url}${path}`, { headers });
      await res.arrayBuffer();
      return res.status;
    };
    const statuses = [
      await get('/api/operations', { Authorization: `Bearer ${token()}` }),
      await get('/api/operations', { Authorization: `Bearer ${forged()}` }),
      await get(`/api/operations?limit=5&access_token=${token()}`),
      await get(`/api/operations?access_token=${forged()}`),
      await get(`/api/operations?access%5Ftoken=${token()}`),
      await get(`/api/operations?ACCESS_TOKEN=${token()}`),
      await get(`/api/operations/not-an-id?access_token=${token()}`),
      await get(`/?token=${token()}`),
      await get('/api/operations', { Referer: `http://localhost:3000/?token=${token()}&access_token=${token()}` }),
    ];
    for (const query of [`access_token=${token()}`, `access_token=${forged()}`]) {
      const stream = await openRawStream(`${api.url}/api/events/stream?${query}`);
      stream.close();
      await stream.ended;
    }
    const post = await fetch(`${api.url}/api/operations?access_token=${token()}`, {
      method: 'POST',
      headers: { Authorization: `Bearer ${token()}`, 'Content-Type': 'application/json' },
      body: '{"kind":',
    });
    await post.arrayBuffer();
    // Let the last request's log lines be written.
    await new Promise((r) => setTimeout(r, 500));

    // The requests did reach the server and were answered as a client would expect.
    expect(statuses.slice(0, 5)).toEqual([200, 401, 200, 401, 200]);
    expect(post.status).toBe(400);
    const output = api.output();
    const leaked = sent.filter((t) => output.includes(t) || output.includes(t.split('.')[2]));
    expect(leaked).toEqual([]);
    // And the log shows the requests, redacted rather than left out.
    expect(output).toContain('"authorization":"[redacted]"');
    expect(output).toContain('access_token=[redacted]');
    expect(output).toContain('access%5Ftoken=[redacted]');
    expect(output).toContain('/?token=[redacted]');
    expect(output).toContain('"referer":"http://localhost:3000/?token=[redacted]&access_token=[redacted]"');
  }, 60_000);
});
