import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { dirname, join, relative, resolve } from 'node:path';
import * as ts from 'typescript';

/**
 * Builds the publishable @herald/client into libs/client/dist (or the
 * directory given as the first argument): CommonJS modules plus .d.ts, one
 * file per source file so the "." and "./react" entries share their classes.
 * The contracts it is typed with are compiled alongside, and the
 * `@herald/contracts` alias is rewritten to their relative path, so the
 * package needs nothing that is not in it.
 */
const PACKAGE_DIR = resolve(__dirname, '..', '..', '..', '..', 'libs', 'client');
const LIBS_DIR = dirname(PACKAGE_DIR);
const ENTRIES = ['src/index.ts', 'src/react/index.ts'].map((f) => join(PACKAGE_DIR, f));
const ALIAS = /(["'])@herald\/contracts(\/[^"']*)?\1/g;

function build(outDir: string): void {
  rmSync(outDir, { recursive: true, force: true });
  const options: ts.CompilerOptions = {
    module: ts.ModuleKind.CommonJS,
    moduleResolution: ts.ModuleResolutionKind.Node10,
    target: ts.ScriptTarget.ES2020,
    lib: ['lib.es2022.d.ts', 'lib.dom.d.ts', 'lib.dom.iterable.d.ts'],
    // Browser and Node alike: nothing from @types/node may leak into the public types.
    types: [],
    strict: true,
    esModuleInterop: true,
    skipLibCheck: true,
    declaration: true,
    rootDir: LIBS_DIR,
    outDir,
    baseUrl: LIBS_DIR,
    paths: { '@herald/contracts': ['contracts/src'], '@herald/contracts/*': ['contracts/src/*'] },
  };
  const program = ts.createProgram(ENTRIES, options);
  const contracts = join(outDir, 'contracts', 'src');
  const result = program.emit(undefined, (file, text) => {
    const rewritten = text.replace(ALIAS, (_m, quote: string, sub = '') => {
      const target = relative(dirname(file), contracts + sub).replace(/\\/g, '/');
      return `${quote}${target.startsWith('.') ? target : `./${target}`}${quote}`;
    });
    mkdirSync(dirname(file), { recursive: true });
    writeFileSync(file, rewritten);
  });
  const diagnostics = [...ts.getPreEmitDiagnostics(program), ...result.diagnostics];
  if (diagnostics.length > 0) {
    const host = { getCanonicalFileName: (f: string) => f, getCurrentDirectory: () => LIBS_DIR, getNewLine: () => '\n' };
    throw new Error(ts.formatDiagnostics(diagnostics, host));
  }
}

try {
  build(resolve(process.argv[2] ?? join(PACKAGE_DIR, 'dist')));
} catch (error) {
  process.stderr.write(`@herald/client build failed:\n${(error as Error).message}\n`);
  process.exit(1);
}
