import { build } from 'esbuild';
import { copyFileSync, mkdirSync } from 'node:fs';
import { join } from 'node:path';
import { repoRoot } from './demo-assets';

/**
 * Bundles the demo page (src/demo/page) with the SDK into dist/demo at build
 * time: the page needs no CDN and no runtime bundler, and the machines it is
 * shown on may be offline. Run by `npm run build` after `nest build`.
 */
async function bundleDemo(): Promise<void> {
  const root = repoRoot();
  const source = join(root, 'src', 'demo', 'page');
  const out = join(root, 'dist', 'demo');
  mkdirSync(out, { recursive: true });
  await build({
    entryPoints: [
      { in: join(source, 'main.ts'), out: 'app' },
      { in: join(source, 'styles.css'), out: 'app' },
    ],
    outdir: out,
    bundle: true,
    format: 'iife',
    platform: 'browser',
    // Browsers of the last few years, phones included.
    target: ['es2020', 'chrome100', 'firefox100', 'safari15'],
    minify: true,
    sourcemap: 'linked',
    legalComments: 'none',
    // Resolves @herald/client and @herald/contracts through its paths.
    tsconfig: join(root, 'tsconfig.json'),
    logLevel: 'warning',
  });
  copyFileSync(join(source, 'index.html'), join(out, 'index.html'));
}

bundleDemo().catch((error: unknown) => {
  process.stderr.write(`demo bundle failed: ${(error as Error).message}\n`);
  process.exit(1);
});
