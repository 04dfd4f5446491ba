import type { PolledEvents } from '@herald/contracts';
import { HeraldProcess, startHerald, stopAllHeralds } from '../support/herald-process';
import { makeToken } from '../support/tokens';
import { Browser, launchBrowser } from './browser';
import { DemoPage } from './demo-page';

// SPEC §6: the page survives a server restart mid-stream without losing or
// repeating text. The server is killed outright (no graceful shutdown), and
// comes back on the same port and data; the page's SDK reconnects with
// Last-Event-ID and the worker continues the operation.

const SECRET = 'browser-restart-secret-0123456789abcdef';
const USER = 'writer-restart';
const env = (dataDir?: string) => ({ JWT_SECRET: SECRET, SIM_TOKENS_PER_SECOND: '25', HERALD_DATA_DIR: dataDir });

let browser: Browser;

beforeAll(async () => {
  browser = await launchBrowser();
});

afterAll(async () => {
  await browser?.close();
  await stopAllHeralds();
});

it('shows reconnecting while the server is down, then resumes to exactly the stored result', async () => {
  let herald: HeraldProcess = await startHerald({ env: env() });
  const demo = new DemoPage(await browser.context.newPage(), herald.url, makeToken(SECRET, USER));
  await demo.open();
  const id = await demo.generate('A clockmaker repairs time itself, one gear at a time.');
  await demo.waitForChunks(20);
  await demo.waitForConnection('connected');
  const before = await demo.textContent();

  await herald.kill('SIGKILL');
  await demo.waitForConnection('reconnecting', 10_000);
  expect(await demo.outputState()).toBe('typing');

  herald = await startHerald({ env: env(herald.dataDir), port: herald.port });
  await demo.waitForConnection('connected', 60_000);
  await demo.waitForFinish(90_000);

  const stored = await demo.stored(id);
  expect(stored.status).toBe('completed');
  const text = await demo.textContent();
  // Nothing lost, nothing repeated: the streamed text (not a replacement) is the stored result.
  expect(text).toBe(stored.result!.text);
  expect(text.startsWith(before)).toBe(true);
  expect(await demo.page.locator('#output').getAttribute('data-source')).toBe('stream');
  expect(await demo.page.locator('#log li[data-type="stream.gap"]').count()).toBe(0);

  // The log keeps its latest entries only, so the drop and the recovery are what is looked for.
  const connection = await demo.connectionLog();
  const dropped = connection.indexOf('reconnecting…');
  expect(dropped).toBeGreaterThanOrEqual(0);
  expect(connection.slice(dropped)).toContain('connected');
  // The crash really interrupted the generation: the operation went through retrying.
  const res = await fetch(`${herald.url}/api/events?operationId=${id}&types=operation.status&after=0`, {
    headers: { Authorization: `Bearer ${makeToken(SECRET, USER)}` },
  });
  const { events } = (await res.json()) as PolledEvents;
  expect(events.map((e) => e.data.status)).toEqual(['queued', 'running', 'retrying', 'running', 'completed']);
  expect(demo.pageErrors).toEqual([]);
});
