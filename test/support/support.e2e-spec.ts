import { createHmac } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { createServer, Server } from 'node:http';
import { AddressInfo } from 'node:net';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import Redis from 'ioredis';
import { Client } from 'pg';
import { startHerald, stopAllHeralds } from './herald-process';
import { collectEvents, openRawStream } from './sse-client';
import { createTestDatabase } from './test-database';
import { cleanupRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from './test-redis';
import { makeAlgNoneToken, makeToken } from './tokens';

// Proves the e2e helpers against the real services and small stand-in
// servers, so a failing product test is never a broken helper.

describe('test support', () => {
  describe('createTestDatabase', () => {
    it('creates a usable, uniquely named database and drops it', async () => {
      const db = await createTestDatabase();
      expect(db.name).toMatch(/^herald_t_\d+_[0-9a-f]+$/);

      const client = new Client({ connectionString: db.url });
      await client.connect();
      const { rows } = await client.query('SELECT 1 AS one, current_database() AS name');
      expect(rows[0]).toEqual({ one: 1, name: db.name });
      // Left open on purpose: drop() must succeed despite a live connection.
      client.on('error', () => undefined);

      await db.drop();
      const admin = new Client({ connectionString: db.url.replace(/\/[^/]+$/, '/postgres') });
      await admin.connect();
      const gone = await admin.query('SELECT 1 FROM pg_database WHERE datname = $1', [db.name]);
      await admin.end();
      expect(gone.rowCount).toBe(0);
      await client.end().catch(() => undefined);
    });
  });

  describe('uniqueRedisPrefix / cleanupRedisPrefix', () => {
    let redis: Redis;
    beforeAll(() => {
      redis = new Redis(TEST_REDIS_URL);
    });
    afterAll(() => redis.quit());

    it('removes only the keys under the prefix', async () => {
      const prefix = uniqueRedisPrefix();
      const other = uniqueRedisPrefix();
      expect(prefix).not.toBe(other);
      await redis.set(`${prefix}:a`, '1');
      await redis.hset(`${prefix}:queue:jobs`, 'k', 'v');
      await redis.set(`${other}:a`, '1');

      expect(await cleanupRedisPrefix(prefix)).toBe(2);
      expect(await redis.exists(`${prefix}:a`, `${prefix}:queue:jobs`)).toBe(0);
      expect(await redis.exists(`${other}:a`)).toBe(1);
      await cleanupRedisPrefix(other);
    });

    it('refuses glob characters', async () => {
      await expect(cleanupRedisPrefix('*')).rejects.toThrow(/unsafe/);
    });
  });

  describe('makeToken', () => {
    const decode = (part: string) => JSON.parse(Buffer.from(part, 'base64url').toString('utf8'));

    it('signs HS256 with the given claims', () => {
      const token = makeToken('s3cret', 'user-1', { scopes: ['events:publish'], ttlSeconds: 60, iss: 'i', aud: 'a' });
      const [header, payload, signature] = token.split('.');
      expect(decode(header)).toEqual({ alg: 'HS256', typ: 'JWT' });
      const claims = decode(payload);
      expect(claims).toMatchObject({ sub: 'user-1', scope: 'events:publish', iss: 'i', aud: 'a' });
      expect(claims.exp - claims.iat).toBe(60);
      expect(signature).toBe(createHmac('sha256', 's3cret').update(`${header}.${payload}`).digest('base64url'));
    });

    it('can drop claims and build alg:none tokens', () => {
      expect(decode(makeToken('s', 'u', { claims: { sub: undefined } }).split('.')[1]).sub).toBeUndefined();
      const none = makeAlgNoneToken('u');
      expect(decode(none.split('.')[0]).alg).toBe('none');
      expect(none.endsWith('.')).toBe(true);
    });
  });

  describe('SSE clients', () => {
    let server: Server;
    let base: string;
    const seen: { auth?: string; lastEventId?: string }[] = [];

    beforeAll(async () => {
      server = createServer((req, res) => {
        seen.push({ auth: req.headers.authorization, lastEventId: req.headers['last-event-id'] as string | undefined });
        if (req.headers.authorization !== 'Bearer t') {
          res.writeHead(401).end();
          return;
        }
        res.writeHead(200, { 'Content-Type': 'text/event-stream; charset=utf-8' });
        res.write('retry: 100\n\n: comment\n\n');
        res.write('event: stream.ready\ndata: {"connectionId":"c"}\n\n');
        res.write('id: 1\nevent: operation.content\ndata: {"text":"h\\u00e9"}\n\n');
        res.write('id: 2\nevent: custom.thing\ndata: {}\n\n');
        res.end('id: 3\nevent: operation.completed\ndata: {"result":{}}\n\n');
      });
      await new Promise<void>((r) => server.listen(0, '127.0.0.1', r));
      base = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    });
    afterAll(() => new Promise((r) => server.close(r)));

    it('collectEvents receives named and custom events with ids and headers', async () => {
      const events = await collectEvents(`${base}/s`, {
        token: 't',
        lastEventId: '0',
        types: ['custom.thing'],
        until: (ev) => ev.type === 'operation.completed',
      });
      expect(events.map((e) => [e.type, e.lastEventId])).toEqual([
        ['stream.ready', ''],
        ['operation.content', '1'],
        ['custom.thing', '2'],
        ['operation.completed', '3'],
      ]);
      expect(events[1].json).toEqual({ text: 'hé' });
      expect(seen.at(-1)).toEqual({ auth: 'Bearer t', lastEventId: '0' });
    });

    it('collectEvents reports a refused stream', async () => {
      await expect(collectEvents(`${base}/s`, { token: 'bad', until: () => false })).rejects.toThrow(/HTTP 401/);
    });

    it('openRawStream exposes status, headers and the exact body', async () => {
      const stream = await openRawStream(`${base}/s`, { Authorization: 'Bearer t' });
      expect(stream.status).toBe(200);
      expect(stream.headers['content-type']).toBe('text/event-stream; charset=utf-8');
      await stream.waitFor('id: 3');
      await stream.ended;
      expect(stream.text().startsWith('retry: 100\n\n: comment\n\n')).toBe(true);
      let all = '';
      for await (const chunk of stream) all += chunk;
      expect(all).toBe(stream.text());
    });
  });

  describe('startHerald', () => {
    let dir: string;
    let entry: string;

    // A stand-in for dist/src/main.js with the same readiness contract.
    beforeAll(() => {
      dir = mkdtempSync(join(tmpdir(), 'herald-support-'));
      entry = join(dir, 'fake-main.js');
      writeFileSync(
        entry,
        `const http = require('node:http');
         const role = process.env.HERALD_ROLE || 'all';
         console.log('role=' + role + ' level=' + process.env.LOG_LEVEL + ' x=' + process.env.X + ' db=' + process.env.DATABASE_URL + ' data=' + (process.env.HERALD_DATA_DIR ? 'set' : 'unset'));
         process.on('SIGTERM', () => { console.error('got SIGTERM'); process.exit(0); });
         if (role === 'worker') { console.log('Herald worker ready'); setInterval(() => {}, 1000); }
         else http.createServer((req, res) => res.writeHead(req.url === '/health/live' ? 200 : 404).end()).listen(Number(process.env.PORT), '127.0.0.1');`,
      );
    });
    afterAll(async () => {
      await stopAllHeralds();
      rmSync(dir, { recursive: true, force: true });
    });

    it('starts an API process, waits for /health/live and stops it', async () => {
      const herald = await startHerald({ entry, env: { X: 'y', DATABASE_URL: undefined } });
      expect(herald.role).toBe('all');
      const res = await fetch(`${herald.url}/health/live`);
      expect(res.status).toBe(200);
      expect(herald.output()).toContain('role=all level=warn x=y db=undefined data=set');
      await herald.kill();
      expect(await herald.exited).toBe(0);
      expect(herald.output()).toContain('[stderr] got SIGTERM');
    });

    it('waits for the worker ready line', async () => {
      const worker = await startHerald({ entry, role: 'worker', env: { DATABASE_URL: 'postgres://x' } });
      expect(worker.output()).toContain('role=worker level=info');
      expect(worker.dataDir).toBeUndefined();
      await stopAllHeralds();
      expect(await worker.exited).toBe(0);
    });

    it('fails with the captured output when the process dies', async () => {
      const crash = join(dir, 'crash.js');
      writeFileSync(crash, `console.error('boom: bad config'); process.exit(3);`);
      await expect(startHerald({ entry: crash, env: {} })).rejects.toThrow(/boom: bad config/);
    });
  });
});
