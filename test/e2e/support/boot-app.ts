import 'reflect-metadata';
import { rmSync } from 'node:fs';
import { AddressInfo } from 'node:net';
import { NestExpressApplication } from '@nestjs/platform-express';
import { createHttpApp } from '../../../src/bootstrap/create-app';
import { HeraldConfig } from '../../../src/config/herald-config';
import { loadConfig } from '../../../src/config/load-config';
import { createTestDatabase, TestDatabase } from '../../support/test-database';
import { cleanupRedisPrefix, TEST_REDIS_URL, uniqueRedisPrefix } from '../../support/test-redis';
import { makeToken, TokenOptions } from '../../support/tokens';
import type { Mode } from '../modes';
import { freshEmbeddedDataDir } from './embedded-template';

export interface BootedApp {
  app: NestExpressApplication;
  /** `http://127.0.0.1:<port>`, for clients that need a real URL (EventSource, raw sockets). */
  url: string;
  config: HeraldConfig;
  secret: string;
  /** An HS256 token for `userId` signed with this app's secret. */
  token(userId: string, opts?: TokenOptions): string;
  /** Closes the app and removes everything it was given: database, Redis keys or data directory. */
  close(): Promise<void>;
}

const SECRET = 'e2e-secret-that-is-long-enough-for-hs256-0123456789';

// Fast generation and no log output keep the suites quick and their output readable;
// a test's own env wins over these.
const COMMON_ENV = {
  JWT_SECRET: SECRET,
  SIM_TOKENS_PER_SECOND: '200',
  LOG_LEVEL: 'silent',
  LOG_PRETTY: 'false',
};

/**
 * Boots the real HTTP application in this process the way main.ts does, from an
 * explicit environment (never the developer's shell), so a suite can run the
 * same tests against both modes.
 */
export async function bootApp(mode: Mode, env: Record<string, string> = {}): Promise<BootedApp> {
  let database: TestDatabase | undefined;
  let redisPrefix: string | undefined;
  let dataDir: string | undefined;
  const resources: Record<string, string> = {};
  if (mode === 'distributed') {
    database = await createTestDatabase();
    redisPrefix = uniqueRedisPrefix();
    Object.assign(resources, { DATABASE_URL: database.url, REDIS_URL: TEST_REDIS_URL, REDIS_PREFIX: redisPrefix });
  } else {
    dataDir = await freshEmbeddedDataDir();
    resources.HERALD_DATA_DIR = dataDir;
  }

  const cleanup = async () => {
    await database?.drop();
    if (redisPrefix) await cleanupRedisPrefix(redisPrefix);
    if (dataDir) rmSync(dataDir, { recursive: true, force: true });
  };

  let app: NestExpressApplication | undefined;
  try {
    const config = loadConfig({ ...COMMON_ENV, ...env, ...resources });
    app = await createHttpApp(config);
    await app.listen(0, '127.0.0.1');
    const { port } = app.getHttpServer().address() as AddressInfo;
    const booted = app;
    return {
      app: booted,
      url: `http://127.0.0.1:${port}`,
      config,
      secret: SECRET,
      token: (userId, opts) => makeToken(SECRET, userId, opts),
      async close() {
        // The tests are over: stop accepting and drop every connection first.
        // Test clients (the undici behind EventSource) can open a socket that
        // never sends a request, and a graceful close would wait for the
        // client's own 4 s keep-alive timer to drop it.
        const server = booted.getHttpServer();
        await new Promise<void>((resolve) => {
          server.close(() => resolve());
          server.closeAllConnections();
        });
        await booted.close();
        await cleanup();
      },
    };
  } catch (error) {
    await app?.close().catch(() => undefined);
    await cleanup();
    throw error;
  }
}

/** One app per describe block: booted before its tests, closed after them. */
export function useHerald(mode: Mode, env: Record<string, string> = {}): () => BootedApp {
  let herald: BootedApp | undefined;
  beforeAll(async () => {
    herald = await bootApp(mode, env);
  });
  afterAll(async () => {
    await herald?.close();
  });
  return () => {
    if (!herald) throw new Error('the app did not boot (see beforeAll)');
    return herald;
  };
}
