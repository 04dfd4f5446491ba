import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';

/** What the demo build writes, and the only files the demo routes serve. */
export const DEMO_FILES: Record<string, string> = {
  'index.html': 'text/html; charset=utf-8',
  'app.js': 'text/javascript; charset=utf-8',
  'app.js.map': 'application/json; charset=utf-8',
  'app.css': 'text/css; charset=utf-8',
  'app.css.map': 'application/json; charset=utf-8',
};

/**
 * The repository root, found by walking up to Herald's package.json so the
 * same code works compiled (dist/src/demo) and under ts-jest (src/demo).
 */
export function repoRoot(from: string = __dirname): string {
  for (let dir = from; ; dir = dirname(dir)) {
    const pkg = join(dir, 'package.json');
    if (existsSync(pkg) && (JSON.parse(readFileSync(pkg, 'utf8')) as { name?: string }).name === 'herald') return dir;
    if (dirname(dir) === dir) throw new Error(`Herald's package.json not found above ${from}`);
  }
}

/** Where `npm run build` puts the bundled page. */
export function demoBuildDir(): string {
  return join(repoRoot(), 'dist', 'demo');
}
