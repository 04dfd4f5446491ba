import { build } from 'esbuild';
import { join } from 'node:path';
import { Page } from 'playwright-core';
import type { Operation } from '@herald/contracts';
import { HeraldProcess, startHerald, stopAllHeralds } from '../support/herald-process';
import { makeToken } from '../support/tokens';
import { Browser, launchBrowser } from './browser';
import type { HookProbe } from './react-harness';

// useOperationStream from @herald/client/react in a real React app in a real
// browser, against a real Herald: the subpath export resolves, the hook
// follows an operation to its end under StrictMode, and cancel() works.

const SECRET = 'browser-react-secret-0123456789abcdef';
const token = makeToken(SECRET, 'react-user');
const auth = { Authorization: `Bearer ${token}` };

let herald: HeraldProcess;
let browser: Browser;
let page: Page;

async function harnessHtml(): Promise<string> {
  const bundle = await build({
    entryPoints: [join(__dirname, 'react-harness.ts')],
    bundle: true,
    write: false,
    format: 'iife',
    platform: 'browser',
    define: { 'process.env.NODE_ENV': '"development"' },
    tsconfig: join(__dirname, '..', '..', 'tsconfig.json'),
    logLevel: 'silent',
  });
  const script = bundle.outputFiles[0].text.replace(/<\/script/gi, '<\\/script');
  return `<!doctype html><html><body><div id="root"></div><script>${script}</script></body></html>`;
}

async function start(maxTokens: number): Promise<string> {
  const res = await fetch(`${herald.url}/api/operations`, {
    method: 'POST',
    headers: { ...auth, 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'text-generation', input: { prompt: 'hooks all the way down', maxTokens } }),
  });
  return ((await res.json()) as { id: string }).id;
}

async function stored(id: string): Promise<Operation> {
  return (await (await fetch(`${herald.url}/api/operations/${id}`, { headers: auth })).json()) as Operation;
}

function probe(): Promise<HookProbe | undefined> {
  return page.evaluate(() => window.hook);
}

beforeAll(async () => {
  let html: string;
  [herald, browser, html] = await Promise.all([
    startHerald({ env: { JWT_SECRET: SECRET, SIM_TOKENS_PER_SECOND: '40' } }),
    launchBrowser(),
    harnessHtml(),
  ]);
  page = await browser.context.newPage();
  // Served from Herald's origin, so the hook's requests are same-origin as in an app.
  await page.route(`${herald.url}/react-harness`, (route) => route.fulfill({ contentType: 'text/html', body: html }));
  await page.goto(`${herald.url}/react-harness`);
});

afterAll(async () => {
  await browser?.close();
  await stopAllHeralds();
});

describe('useOperationStream', () => {
  it('follows an operation to its end: status, progress, text, events, connection', async () => {
    const id = await start(60);
    await page.evaluate(([t, op]) => window.mountHook(t, op), [token, id]);
    await page.waitForFunction(() => window.hook?.status === 'running');
    await page.waitForFunction(() => window.hook?.connection === 'closed', null, { timeout: 30_000 });

    const op = await stored(id);
    const state = (await probe())!;
    expect(state).toMatchObject({ status: 'completed', percentage: 100, error: null, connection: 'closed' });
    expect(state.text).toBe(op.result!.text);
    expect(await page.locator('#text').textContent()).toBe(op.result!.text);
    expect(state.events).toBeGreaterThan(state.chunks);
    // Rendered as events arrived, not once at the end.
    expect(state.renders).toBeGreaterThan(10);
  });

  it('cancel() stops a running operation and the hook reports it', async () => {
    const id = await start(2000);
    await page.evaluate(([t, op]) => window.mountHook(t, op), [token, id]);
    await page.waitForFunction(() => (window.hook?.chunks ?? 0) > 3);
    await page.evaluate(() => window.hookCancel!());
    await page.waitForFunction(() => window.hook?.status === 'cancelled');
    expect((await stored(id)).status).toBe('cancelled');
  });

  it('renders the idle state for no operation', async () => {
    await page.evaluate((t) => window.mountHook(t, null), token);
    await page.waitForFunction(() => window.hook?.status === null);
    expect(await probe()).toMatchObject({ status: null, text: '', connection: 'closed', events: 0 });
  });
});
