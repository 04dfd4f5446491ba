import { createHash } from 'node:crypto';
import { cpSync, existsSync, mkdtempSync, readdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { DataSource } from 'typeorm';
import { loadConfig } from '../../../src/config/load-config';
import { dataSourceOptions } from '../../../src/infra/database/data-source-options';

const ROOT = join(__dirname, '..', '..', '..');
const MIGRATIONS_DIR = join(ROOT, 'src', 'infra', 'database', 'migrations');
const READY = '.template-ready';

/**
 * A fresh embedded data directory with the schema in place. Creating a PGlite
 * cluster and migrating it takes several seconds, and every e2e file boots
 * embedded mode, so the migrated cluster is built once (per PGlite version and
 * migration set) and copied; opening a copy takes about one second.
 */
export async function freshEmbeddedDataDir(): Promise<string> {
  const template = await ensureTemplate();
  const dir = mkdtempSync(join(tmpdir(), 'herald-e2e-'));
  cpSync(template, dir, { recursive: true });
  rmSync(join(dir, READY), { force: true });
  return dir;
}

async function ensureTemplate(): Promise<string> {
  const template = join(tmpdir(), `herald-e2e-template-${templateKey()}`);
  if (existsSync(join(template, READY))) return template;

  // Built aside and renamed into place, so parallel Jest workers never see a half-built template.
  const staging = mkdtempSync(join(tmpdir(), 'herald-e2e-template-staging-'));
  try {
    const config = loadConfig({ HERALD_DATA_DIR: staging, JWT_SECRET: 'x'.repeat(32), LOG_LEVEL: 'silent' });
    const dataSource = new DataSource(dataSourceOptions(config));
    await dataSource.initialize();
    await dataSource.destroy();
    writeFileSync(join(staging, READY), '');
    renameSync(staging, template);
  } catch (error) {
    rmSync(staging, { recursive: true, force: true });
    // Another worker won the race: its template is as good as ours.
    if (existsSync(join(template, READY))) return template;
    throw error;
  }
  return template;
}

function templateKey(): string {
  const hash = createHash('sha256');
  hash.update(readFileSync(join(ROOT, 'node_modules', '@electric-sql', 'pglite', 'package.json')));
  for (const file of readdirSync(MIGRATIONS_DIR).sort()) hash.update(file).update(readFileSync(join(MIGRATIONS_DIR, file)));
  return hash.digest('hex').slice(0, 16);
}
