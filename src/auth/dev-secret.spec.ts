import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { loadConfig } from '../config/load-config';
import { resolveDevSecret } from './dev-secret';

describe('resolveDevSecret', () => {
  let root: string;

  beforeEach(async () => {
    root = await mkdtemp(path.join(tmpdir(), 'herald-dev-secret-'));
  });
  afterEach(() => rm(root, { recursive: true, force: true }));

  const embedded = (dataDir: string, env: Record<string, string> = {}) => loadConfig({ HERALD_DATA_DIR: dataDir, ...env });

  it('creates a private secret once, in a data dir it creates, and reuses it afterwards', async () => {
    const dataDir = path.join(root, 'nested', 'data');
    const first = await resolveDevSecret(embedded(dataDir));
    expect(first).toMatchObject({ generated: true, created: true });
    expect(first.config.jwt.secret).toMatch(/^[A-Za-z0-9_-]{64}$/);
    expect((await stat(path.join(dataDir, 'jwt-secret'))).mode & 0o777).toBe(0o600);

    const second = await resolveDevSecret(embedded(dataDir));
    expect(second).toMatchObject({ generated: true, created: false });
    expect(second.config.jwt.secret).toBe(first.config.jwt.secret);
  });

  it('agrees on one secret when several processes start together', async () => {
    const config = embedded(path.join(root, 'data'));
    const results = await Promise.all(Array.from({ length: 8 }, () => resolveDevSecret(config)));
    expect(new Set(results.map((r) => r.config.jwt.secret)).size).toBe(1);
    expect(results.filter((r) => r.created)).toHaveLength(1);
  });

  it('leaves a configured JWT_SECRET alone and writes nothing', async () => {
    const secret = 'x'.repeat(40);
    const config = embedded(path.join(root, 'data'), { JWT_SECRET: secret });
    const result = await resolveDevSecret(config);
    expect(result).toEqual({ config, generated: false, created: false });
    await expect(stat(path.join(root, 'data'))).rejects.toThrow();
  });

  it('names the path and the fix when the data dir cannot be created', async () => {
    const blocker = path.join(root, 'a-file');
    await writeFile(blocker, 'not a directory');
    const dataDir = path.join(blocker, 'data');
    await expect(resolveDevSecret(embedded(dataDir))).rejects.toThrow(
      new RegExp(`${dataDir}.*(HERALD_DATA_DIR|writable).*JWT_SECRET`),
    );
  });

  it('refuses a truncated secret file instead of using a weak key', async () => {
    const dataDir = path.join(root, 'data');
    await resolveDevSecret(embedded(dataDir));
    await writeFile(path.join(dataDir, 'jwt-secret'), 'short\n');
    await expect(resolveDevSecret(embedded(dataDir))).rejects.toThrow(/jwt-secret.*delete the file/);
    expect(await readFile(path.join(dataDir, 'jwt-secret'), 'utf8')).toBe('short\n');
  });
});
