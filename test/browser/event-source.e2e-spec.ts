import { startHerald, stopAllHeralds, HeraldProcess } from '../support/herald-process';
import { makeToken } from '../support/tokens';
import { Browser, launchBrowser } from './browser';

// Browsers' own EventSource cannot send headers: it authenticates with
// ?access_token=, receives Herald's typed events through addEventListener,
// and stops reconnecting once the operation view answers 204.

const SECRET = 'browser-eventsource-secret-0123456789abcdef';
const USER = 'reader-es';
const token = makeToken(SECRET, USER);

let herald: HeraldProcess;
let browser: Browser;

beforeAll(async () => {
  [herald, browser] = await Promise.all([
    startHerald({ env: { JWT_SECRET: SECRET, SIM_TOKENS_PER_SECOND: '40', SSE_RETRY_MS: '500' } }),
    launchBrowser(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await stopAllHeralds();
});

interface Received {
  type: string;
  lastEventId: string;
  data: { id?: string; type?: string; data?: Record<string, unknown> };
}

it('receives typed events via addEventListener and stops reconnecting after the terminal event (204)', async () => {
  const created = await fetch(`${herald.url}/api/operations`, {
    method: 'POST',
    headers: { Authorization: `Bearer ${token}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'text-generation', input: { prompt: 'a short one', maxTokens: 40 } }),
  });
  const { id } = (await created.json()) as { id: string };

  const page = await browser.context.newPage();
  await page.goto(`${herald.url}/health/live`);
  const path = `/api/events/operations/${id}`;
  const requests: { status: number; lastEventId: string | undefined }[] = [];
  page.on('response', async (res) => {
    if (!new URL(res.url()).pathname.startsWith(path)) return;
    const headers = await res.request().allHeaders();
    requests.push({ status: res.status(), lastEventId: headers['last-event-id'] });
  });

  const result = await page.evaluate(
    ({ url }) =>
      new Promise<{ events: Received[]; untyped: number; readyState: number; errors: number }>((resolve) => {
        const types = [
          'stream.ready',
          'operation.status',
          'operation.progress',
          'operation.content',
          'operation.completed',
          'operation.failed',
          'operation.cancelled',
        ];
        const events: Received[] = [];
        let untyped = 0;
        let errors = 0;
        const source = new EventSource(url);
        for (const type of types) {
          source.addEventListener(type, (e) => {
            const m = e as MessageEvent<string>;
            events.push({ type: m.type, lastEventId: m.lastEventId, data: JSON.parse(m.data) });
          });
        }
        source.onmessage = () => untyped++;
        source.onerror = () => {
          errors++;
          // CLOSED: the browser gave up for good, which only a 204 (or a fatal error) makes it do.
          if (source.readyState === EventSource.CLOSED) resolve({ events, untyped, readyState: source.readyState, errors });
        };
      }),
    { url: `${path}?access_token=${encodeURIComponent(token)}` },
  );

  const stored = events(result.events);
  expect(result.events[0].type).toBe('stream.ready');
  expect(result.untyped).toBe(0);
  expect(stored.map((e) => e.data.type)).toEqual(stored.map((e) => e.type));
  expect(stored.map((e) => e.lastEventId)).toEqual(stored.map((e) => e.data.id));
  expect(stored.filter((e) => e.type === 'operation.content').length).toBeGreaterThan(5);
  const terminal = stored[stored.length - 1];
  expect(terminal.type).toBe('operation.completed');
  expect(result.readyState).toBe(2);

  // One stream, then one reconnect from the terminal event, answered 204, then nothing more.
  await page.waitForTimeout(2000);
  expect(requests).toEqual([
    { status: 200, lastEventId: undefined },
    { status: 204, lastEventId: terminal.lastEventId },
  ]);
});

function events(received: Received[]): Received[] {
  return received.filter((e) => e.type !== 'stream.ready');
}
