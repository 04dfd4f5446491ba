import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { APP_FILTER } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { createHmac, generateKeyPairSync, KeyObject, sign as cryptoSign } from 'node:crypto';
import request from 'supertest';
import { HttpExceptionFilter } from '../common/http-exception.filter';
import { ConfigModule } from '../config/config.module';
import { loadConfig } from '../config/load-config';
import { AuthModule } from './auth.module';
import { AuthenticatedUser } from './authenticated-user';
import { CurrentUser } from './current-user.decorator';
import { Public } from './public.decorator';
import { RequireScope } from './require-scope.decorator';
import { signToken } from './token-signer';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const ISSUER = 'https://issuer.test';
const AUDIENCE = 'herald-api';

@Controller()
class ProbeController {
  @Get('me')
  me(@CurrentUser() user: AuthenticatedUser) {
    return user;
  }

  @Public()
  @Get('open')
  open() {
    return { ok: true };
  }

  @RequireScope('events:publish')
  @Get('publish')
  publish(@CurrentUser() user: AuthenticatedUser) {
    return { userId: user.userId };
  }
}

async function boot(env: Record<string, string>): Promise<INestApplication> {
  @Module({
    imports: [ConfigModule.forRoot(loadConfig(env)), AuthModule],
    controllers: [ProbeController],
    providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
  })
  class ProbeModule {}
  const moduleRef = await Test.createTestingModule({ imports: [ProbeModule] }).compile();
  const app = moduleRef.createNestApplication({ logger: false });
  await app.init();
  return app;
}

/** A JWT with any header, payload and signature: the attacker's view of the format. */
function craft(header: object, payload: object, signature: (input: string) => string): string {
  const input = `${b64(header)}.${b64(payload)}`;
  return `${input}.${signature(input)}`;
}

const b64 = (value: object) => Buffer.from(JSON.stringify(value)).toString('base64url');
const hs256 = (key: string | Buffer) => (input: string) => createHmac('sha256', key).update(input).digest('base64url');
const now = () => Math.floor(Date.now() / 1000);

function expectUnauthorized(response: request.Response, code: string, message?: string) {
  expect(response.status).toBe(401);
  expect(Object.keys(response.body).sort()).toEqual(['code', 'error', 'message', 'statusCode']);
  expect(response.body).toMatchObject({ statusCode: 401, error: 'Unauthorized', code });
  if (message) expect(response.body.message).toBe(message);
  expect(JSON.stringify(response.body)).not.toMatch(/jwt |jsonwebtoken|at .*\.js|Error:/);
}

describe('authentication with JWT_SECRET', () => {
  let app: INestApplication;
  const get = (path: string, token?: string) => {
    const req = request(app.getHttpServer()).get(path);
    return token ? req.set('Authorization', `Bearer ${token}`) : req;
  };

  beforeAll(async () => {
    app = await boot({ JWT_SECRET: SECRET, JWT_ISSUER: ISSUER, JWT_AUDIENCE: AUDIENCE });
  });
  afterAll(() => app.close());

  const valid = (extra: Partial<Parameters<typeof signToken>[0]> = {}) =>
    signToken({ secret: SECRET, userId: 'alice', issuer: ISSUER, audience: AUDIENCE, ...extra });

  it('accepts a valid bearer token and exposes the user', async () => {
    const token = valid({ scopes: ['a', 'b'], ttlSeconds: 600 });
    const response = await get('/me', token).expect(200);
    expect(response.body.userId).toBe('alice');
    expect(response.body.scopes).toEqual(['a', 'b']);
    expect(Math.abs(response.body.expiresAt - (Date.now() + 600_000))).toBeLessThan(5_000);
  });

  it('accepts the token from the access_token query parameter', async () => {
    const response = await get(`/me?access_token=${valid()}`).expect(200);
    expect(response.body.userId).toBe('alice');
  });

  it('lets @Public routes through without a token', async () => {
    await get('/open').expect(200, { ok: true });
  });

  it('answers 401 MISSING_TOKEN without a token', async () => {
    expectUnauthorized(await get('/me'), 'MISSING_TOKEN');
  });

  it('refuses alg none', async () => {
    const token = craft({ alg: 'none', typ: 'JWT' }, { sub: 'alice', iss: ISSUER, aud: AUDIENCE, exp: now() + 60 }, () => '');
    expectUnauthorized(await get('/me', token), 'INVALID_TOKEN');
  });

  it('refuses a token whose payload was changed after signing', async () => {
    const [header, , signature] = valid().split('.');
    const forged = b64({ sub: 'mallory', iss: ISSUER, aud: AUDIENCE, exp: now() + 60 });
    expectUnauthorized(await get('/me', `${header}.${forged}.${signature}`), 'INVALID_TOKEN', 'invalid token: bad signature');
  });

  it('refuses a token signed with another secret', async () => {
    const token = signToken({ secret: `${SECRET}-other`, userId: 'alice', issuer: ISSUER, audience: AUDIENCE });
    expectUnauthorized(await get('/me', token), 'INVALID_TOKEN');
  });

  it('refuses an HS512 token even with the right secret', async () => {
    const token = craft({ alg: 'HS512', typ: 'JWT' }, { sub: 'alice', iss: ISSUER, aud: AUDIENCE }, (input) =>
      createHmac('sha512', SECRET).update(input).digest('base64url'),
    );
    expectUnauthorized(await get('/me', token), 'INVALID_TOKEN', 'invalid token: signing algorithm not accepted');
  });

  it('answers TOKEN_EXPIRED for an expired token', async () => {
    const token = valid({ now: Date.now() - 7200_000, ttlSeconds: 3600 });
    expectUnauthorized(await get('/me', token), 'TOKEN_EXPIRED', 'token expired');
  });

  it('refuses a token whose nbf is in the future', async () => {
    const token = craft({ alg: 'HS256', typ: 'JWT' }, { sub: 'alice', iss: ISSUER, aud: AUDIENCE, nbf: now() + 600 }, hs256(SECRET));
    expectUnauthorized(await get('/me', token), 'TOKEN_NOT_YET_VALID');
  });

  it('refuses a wrong issuer without revealing the expected one', async () => {
    const response = await get('/me', valid({ issuer: 'https://evil.test' }));
    expectUnauthorized(response, 'INVALID_TOKEN', 'invalid token: issuer not accepted');
    expect(response.body.message).not.toContain(ISSUER);
  });

  it('refuses a wrong or missing audience', async () => {
    const audienceRefused = 'invalid token: audience not accepted';
    expectUnauthorized(await get('/me', valid({ audience: 'someone-else' })), 'INVALID_TOKEN', audienceRefused);
    expectUnauthorized(await get('/me', valid({ audience: null })), 'INVALID_TOKEN', audienceRefused);
  });

  it.each([
    ['missing', {}],
    ['empty', { sub: '' }],
    ['a number', { sub: 42 }],
    ['containing NUL', { sub: 'ali\u0000ce' }],
    ['a lone surrogate', { sub: 'ali\ud800ce' }],
    ['longer than 256 characters', { sub: 'x'.repeat(257) }],
  ])('refuses a sub that is %s', async (_label, claims) => {
    const token = craft({ alg: 'HS256', typ: 'JWT' }, { ...claims, iss: ISSUER, aud: AUDIENCE, exp: now() + 60 }, hs256(SECRET));
    const response = await get('/me', token);
    expectUnauthorized(response, 'INVALID_TOKEN');
    expect(response.body.message).toMatch(/\bsub\b/);
  });

  it.each(['garbage', 'a.b.c', '....', 'Bearer'])('refuses the garbage token %p', async (token) => {
    expectUnauthorized(await get('/me', token), 'INVALID_TOKEN');
  });

  it('answers 403 FORBIDDEN_SCOPE when the scope is missing', async () => {
    const response = await get('/publish', valid({ scopes: ['events:read'] })).expect(403);
    expect(response.body).toEqual({
      statusCode: 403,
      error: 'Forbidden',
      code: 'FORBIDDEN_SCOPE',
      message: 'this request needs a token with scope events:publish',
    });
  });

  it('accepts the scope as a space-separated string or as an array', async () => {
    await get('/publish', valid({ scopes: ['events:read', 'events:publish'] })).expect(200, { userId: 'alice' });
    const arrayScope = craft(
      { alg: 'HS256', typ: 'JWT' },
      { sub: 'svc', scope: ['events:publish'], iss: ISSUER, aud: AUDIENCE, exp: now() + 60 },
      hs256(SECRET),
    );
    await get('/publish', arrayScope).expect(200, { userId: 'svc' });
  });
});

describe('authentication with JWT_PUBLIC_KEY', () => {
  const rsa = generateKeyPairSync('rsa', { modulusLength: 2048 });
  const ec = generateKeyPairSync('ec', { namedCurve: 'P-256' });
  const pem = (key: KeyObject) => key.export({ type: 'spki', format: 'pem' }).toString();
  const claims = () => ({ sub: 'alice', exp: now() + 60 });
  const rs256 = (key: KeyObject) => (input: string) => cryptoSign('sha256', Buffer.from(input), key).toString('base64url');
  const es256 = (key: KeyObject) => (input: string) =>
    cryptoSign('sha256', Buffer.from(input), { key, dsaEncoding: 'ieee-p1363' }).toString('base64url');

  describe('RSA key', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await boot({ JWT_PUBLIC_KEY: pem(rsa.publicKey) });
    });
    afterAll(() => app.close());
    const get = (token: string) => request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

    it('accepts an RS256 token signed with the private key', async () => {
      const response = await get(craft({ alg: 'RS256', typ: 'JWT' }, claims(), rs256(rsa.privateKey))).expect(200);
      expect(response.body.userId).toBe('alice');
    });

    it('refuses an HS256 token that uses the public key PEM as its secret', async () => {
      const token = craft({ alg: 'HS256', typ: 'JWT' }, claims(), hs256(pem(rsa.publicKey)));
      expectUnauthorized(await get(token), 'INVALID_TOKEN', 'invalid token: signing algorithm not accepted');
    });

    it('refuses alg none', async () => {
      expectUnauthorized(await get(craft({ alg: 'none' }, claims(), () => '')), 'INVALID_TOKEN');
    });

    it('refuses an RS256 token signed by another key', async () => {
      const other = generateKeyPairSync('rsa', { modulusLength: 2048 });
      expectUnauthorized(await get(craft({ alg: 'RS256' }, claims(), rs256(other.privateKey))), 'INVALID_TOKEN', 'invalid token: bad signature');
    });
  });

  describe('EC key', () => {
    let app: INestApplication;
    beforeAll(async () => {
      app = await boot({ JWT_PUBLIC_KEY: pem(ec.publicKey) });
    });
    afterAll(() => app.close());
    const get = (token: string) => request(app.getHttpServer()).get('/me').set('Authorization', `Bearer ${token}`);

    it('accepts an ES256 token', async () => {
      await get(craft({ alg: 'ES256', typ: 'JWT' }, claims(), es256(ec.privateKey))).expect(200);
    });

    it('refuses an HS256 token that uses the public key PEM as its secret', async () => {
      const token = craft({ alg: 'HS256' }, claims(), hs256(pem(ec.publicKey)));
      expectUnauthorized(await get(token), 'INVALID_TOKEN', 'invalid token: signing algorithm not accepted');
    });
  });
});
