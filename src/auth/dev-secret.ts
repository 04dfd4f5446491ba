import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, rm, writeFile } from 'node:fs/promises';
import * as path from 'node:path';
import { HeraldConfig } from '../config/herald-config';

export interface DevSecretResolution {
  config: HeraldConfig;
  /** True when the returned config verifies tokens with Herald's development secret (new or from an earlier run). */
  generated: boolean;
  /** True when that secret was created by this call. */
  created: boolean;
}

const MIN_SECRET_LENGTH = 32;

/**
 * A fresh embedded checkout has no JWT_SECRET, yet must run and print a working
 * demo token. The secret is kept in the data dir so tokens survive restarts,
 * and is never used when a real key is configured or in distributed mode.
 */
export async function resolveDevSecret(config: HeraldConfig): Promise<DevSecretResolution> {
  if (config.mode !== 'embedded' || config.jwt.secret || config.jwt.publicKey) {
    return { config, generated: false, created: false };
  }
  const file = devSecretPath(config);
  const existing = await readSecret(file);
  if (existing !== null) return { config: withSecret(config, existing), generated: true, created: false };

  const secret = randomBytes(48).toString('base64url');
  // Written aside and hard-linked into place: the link either appears complete
  // or fails with EEXIST, so a server and a token CLI starting together agree on one secret.
  const draft = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  await createDataDir(config.dataDir);
  try {
    await writeFile(draft, `${secret}\n`, { mode: 0o600 });
    await link(draft, file);
  } catch (error) {
    if (errorCode(error) === 'EEXIST') {
      const winner = await readSecret(file);
      if (winner !== null) return { config: withSecret(config, winner), generated: true, created: false };
    }
    throw new Error(
      `cannot create the development JWT secret at ${file} (${errorCode(error) ?? String(error)}): ` +
        `make ${config.dataDir} writable, point HERALD_DATA_DIR at a writable directory, or set JWT_SECRET`,
    );
  } finally {
    await rm(draft, { force: true }).catch(() => undefined);
  }
  return { config: withSecret(config, secret), generated: true, created: true };
}

async function createDataDir(dir: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
  } catch (error) {
    throw new Error(
      `cannot create the data directory ${dir} (${errorCode(error) ?? String(error)}): ` +
        'point HERALD_DATA_DIR at a writable directory, or set JWT_SECRET',
    );
  }
}

export function devSecretPath(config: HeraldConfig): string {
  return path.join(config.dataDir, 'jwt-secret');
}

async function readSecret(file: string): Promise<string | null> {
  let content: string;
  try {
    content = await readFile(file, 'utf8');
  } catch (error) {
    if (errorCode(error) === 'ENOENT' || errorCode(error) === 'ENOTDIR') return null;
    throw new Error(
      `cannot read the development JWT secret at ${file} (${errorCode(error) ?? String(error)}): ` +
        'make it readable by this user, or set JWT_SECRET',
    );
  }
  const secret = content.trim();
  if (secret.length < MIN_SECRET_LENGTH) {
    throw new Error(
      `the development JWT secret at ${file} is shorter than ${MIN_SECRET_LENGTH} characters: ` +
        'delete the file to generate a new one, or set JWT_SECRET',
    );
  }
  return secret;
}

function withSecret(config: HeraldConfig, secret: string): HeraldConfig {
  return { ...config, jwt: { ...config.jwt, secret } };
}

function errorCode(error: unknown): string | undefined {
  return (error as NodeJS.ErrnoException | null)?.code;
}
