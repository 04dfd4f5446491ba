import { generateKeyPairSync } from 'node:crypto';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { runTokenCli } from './token.cli';
import { signToken } from './token-signer';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';

async function run(argv: string[], env: Record<string, string>) {
  const out: string[] = [];
  const err: string[] = [];
  const code = await runTokenCli(argv, env, { out: (l) => out.push(l), err: (l) => err.push(l) });
  return { code, out: out.join('\n'), err: err.join('\n') };
}

const claims = (token: string) => JSON.parse(Buffer.from(token.split('.')[1], 'base64url').toString());

describe('token CLI', () => {
  let dataDir: string;
  beforeEach(async () => {
    dataDir = await mkdtemp(path.join(tmpdir(), 'herald-token-cli-'));
  });
  afterEach(() => rm(dataDir, { recursive: true, force: true }));

  it('prints only a token signed with JWT_SECRET, with scopes, ttl, issuer and audience', async () => {
    const env = { JWT_SECRET: SECRET, JWT_ISSUER: 'iss', JWT_AUDIENCE: 'aud', HERALD_DATA_DIR: dataDir };
    const result = await run(['svc', '--scope', 'events:publish', '--scope=extra', '--ttl', '15m'], env);
    expect(result).toMatchObject({ code: 0, err: '' });
    expect(result.out).toMatch(/^[\w-]+\.[\w-]+\.[\w-]+$/);
    const payload = claims(result.out);
    expect(payload).toMatchObject({ sub: 'svc', scope: 'events:publish extra', iss: 'iss', aud: 'aud' });
    expect(payload.exp - payload.iat).toBe(900);
    const resigned = signToken({
      secret: SECRET,
      userId: 'svc',
      scopes: ['events:publish', 'extra'],
      ttlSeconds: 900,
      issuer: 'iss',
      audience: 'aud',
      now: payload.iat * 1000,
    });
    expect(result.out).toBe(resigned);
  });

  it('signs with the development secret in embedded mode without JWT_SECRET', async () => {
    const result = await run(['alice'], { HERALD_DATA_DIR: dataDir });
    expect(result.code).toBe(0);
    const secret = (await readFile(path.join(dataDir, 'jwt-secret'), 'utf8')).trim();
    const payload = claims(result.out);
    expect(payload.exp - payload.iat).toBe(3600);
    expect(result.out).toBe(signToken({ secret, userId: 'alice', now: payload.iat * 1000 }));
  });

  it('explains that it cannot sign when only JWT_PUBLIC_KEY is configured', async () => {
    const { publicKey } = generateKeyPairSync('ec', { namedCurve: 'P-256' });
    const pem = publicKey.export({ type: 'spki', format: 'pem' }).toString();
    const result = await run(['alice'], { JWT_PUBLIC_KEY: pem, HERALD_DATA_DIR: dataDir });
    expect(result).toMatchObject({ code: 1, out: '' });
    expect(result.err).toMatch(/JWT_PUBLIC_KEY.*cannot sign/);
  });

  it.each([
    [[], 'missing <userId>'],
    [['a', 'b'], 'exactly one <userId>'],
    [['a', '--ttl'], '--ttl needs a value'],
    [['a', '--ttl', '3600'], 'must be a duration'],
    [['a', '--ttl', '0s'], 'must be a duration'],
    [['a', '--verbose'], 'unknown option --verbose'],
    [['bad\u0000id'], 'control characters'],
  ])('answers %p with a usage message and exit code 2', async (argv, problem) => {
    const result = await run(argv as string[], { JWT_SECRET: SECRET, HERALD_DATA_DIR: dataDir });
    expect(result).toMatchObject({ code: 2, out: '' });
    expect(result.err).toContain(problem);
    expect(result.err).toContain('usage: npm run token');
  });
});
