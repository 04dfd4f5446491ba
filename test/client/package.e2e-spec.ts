import { execFileSync } from 'node:child_process';
import { cpSync, mkdirSync, readdirSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import * as ts from 'typescript';

// libs/client is publishable on its own: built, it resolves through its
// package.json exports ("." and "./react") in plain Node, its .d.ts
// type-check in a consumer, and nothing in it points at the monorepo alias.

const ROOT = join(__dirname, '..', '..');
const CONSUMER = join(ROOT, 'test', '.tmp', 'client-package-consumer');
const INSTALLED = join(CONSUMER, 'node_modules', '@herald', 'client');

function files(dir: string): string[] {
  return readdirSync(dir, { recursive: true, encoding: 'utf8' }).map((f) => join(dir, f));
}

beforeAll(() => {
  rmSync(CONSUMER, { recursive: true, force: true });
  mkdirSync(INSTALLED, { recursive: true });
  cpSync(join(ROOT, 'libs', 'client', 'package.json'), join(INSTALLED, 'package.json'));
  execFileSync(process.execPath, [join(ROOT, 'dist', 'libs', 'client', 'scripts', 'build-package.js'), join(INSTALLED, 'dist')]);
});

afterAll(() => rmSync(CONSUMER, { recursive: true, force: true }));

describe('@herald/client package', () => {
  it('imports nothing through the @herald/contracts alias', () => {
    const built = files(join(INSTALLED, 'dist')).filter((f) => /\.(js|d\.ts)$/.test(f));
    expect(built.length).toBeGreaterThan(20);
    expect(built.filter((f) => /["']@herald\/contracts/.test(readFileSync(f, 'utf8')))).toEqual([]);
  });

  it('loads both entries through its exports in plain Node and parses a stream', () => {
    const script = `
      const client = require('@herald/client');
      const react = require('@herald/client/react');
      const seen = [];
      const parser = new client.SseParser({ onEvent: (e) => seen.push(e) });
      parser.push(new TextEncoder().encode('id: 1\\nevent: operation.content\\ndata: {}\\n\\n'));
      console.log(JSON.stringify({
        client: typeof client.HeraldClient,
        stream: typeof client.OperationStream,
        type: client.EventTypes.content,
        hook: typeof react.useOperationStream,
        parsed: seen.map((e) => e.type + '#' + e.id),
      }));`;
    const out = execFileSync(process.execPath, ['-e', script], { cwd: CONSUMER, encoding: 'utf8' });
    expect(JSON.parse(out)).toEqual({
      client: 'function',
      stream: 'function',
      type: 'operation.content',
      hook: 'function',
      parsed: ['operation.content#1'],
    });
  });

  it('type-checks a consumer importing "." and "./react" with Node16 resolution', () => {
    const source = join(CONSUMER, 'consumer.ts');
    writeFileSync(
      source,
      `import { HeraldClient, type OperationSnapshot, type SubscriptionStatus } from '@herald/client';
       import { useOperationStream } from '@herald/client/react';
       const client = new HeraldClient({ baseUrl: 'http://localhost:3000', token: () => 'jwt' });
       const sub = client.subscribe({ kind: 'user' }, { onStatus: (s: SubscriptionStatus) => s.state });
       export const use = (id: string): OperationSnapshot['status'] => useOperationStream(client, id).status;
       export const started = client.startOperation({ kind: 'text-generation', input: { prompt: 'x' } }).then((o) => o.links.events);
       sub.close();`,
    );
    const program = ts.createProgram([source], {
      module: ts.ModuleKind.Node16,
      moduleResolution: ts.ModuleResolutionKind.Node16,
      target: ts.ScriptTarget.ES2022,
      lib: ['lib.es2022.d.ts', 'lib.dom.d.ts'],
      types: [],
      strict: true,
      noEmit: true,
      typeRoots: [join(ROOT, 'node_modules', '@types')],
    });
    const diagnostics = ts.getPreEmitDiagnostics(program).map((d) => ts.flattenDiagnosticMessageText(d.messageText, '\n'));
    expect(diagnostics).toEqual([]);
  });
});
