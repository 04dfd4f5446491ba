import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { HeraldProcess, startHerald, stopAllHeralds } from '../support/herald-process';
import { makeToken } from '../support/tokens';
import { Browser, launchBrowser } from './browser';
import { DemoPage } from './demo-page';
import { summarizePng } from './png';

// The demo page at / in a real Chromium against a real (embedded) Herald:
// what a person sees when they press Generate, Genesis or Stop.

const SECRET = 'browser-demo-secret-0123456789abcdef';
const SCREENSHOT_DIR = join(__dirname, '..', '.tmp', 'browser');

let herald: HeraldProcess;
let browser: Browser;

beforeAll(async () => {
  [herald, browser] = await Promise.all([
    startHerald({ env: { JWT_SECRET: SECRET, SIM_TOKENS_PER_SECOND: '80' } }),
    launchBrowser(),
  ]);
});

afterAll(async () => {
  await browser?.close();
  await stopAllHeralds();
});

async function openDemo(user: string): Promise<DemoPage> {
  const demo = new DemoPage(await browser.context.newPage(), herald.url, makeToken(SECRET, user));
  await demo.open();
  return demo;
}

describe('demo page', () => {
  it('serves the page and its bundle from the API with a strict content security policy', async () => {
    const res = await fetch(`${herald.url}/`);
    expect(res.status).toBe(200);
    expect(res.headers.get('content-type')).toMatch(/^text\/html/);
    expect(res.headers.get('content-security-policy')).toContain("default-src 'self'");
    expect(res.headers.get('referrer-policy')).toBe('no-referrer');
    const script = await fetch(`${herald.url}/demo/app.js`);
    expect(script.headers.get('content-type')).toMatch(/^text\/javascript/);
    expect((await script.text()).length).toBeGreaterThan(1000);
    expect((await fetch(`${herald.url}/demo/..%2Fpackage.json`)).status).toBe(404);
  });

  it('Generate: streams the text in, reaches 100 %, and ends with exactly the stored result', async () => {
    const demo = await openDemo('writer-generate');
    // The token left the address bar once read.
    expect(demo.page.url()).toBe(`${herald.url}/`);
    const id = await demo.generate('A cartographer maps a city that rearranges itself at night.');

    // Streaming, not one answer at the end: the text is seen growing while the typing indicator shows.
    const seen = new Set<number>();
    for (let s = await demo.sample(); s.state !== 'done'; s = await demo.sample()) {
      if (s.state === 'typing') {
        seen.add(s.length);
        expect(s.caret).toBe(true);
      }
      await demo.page.waitForTimeout(100);
    }
    expect(seen.size).toBeGreaterThanOrEqual(5);

    const stored = await demo.stored(id);
    expect(stored.status).toBe('completed');
    expect(await demo.textContent()).toBe(stored.result!.text);
    expect(await demo.page.locator('#output').getAttribute('data-source')).toBe('stream');
    expect(await demo.page.locator('#percent').textContent()).toBe('100 %');
    expect(await demo.page.locator('#progress').getAttribute('aria-valuenow')).toBe('100');
    expect(await demo.page.locator('#status').textContent()).toBe('Done.');
    expect((await demo.sample()).caret).toBe(false);
    expect(await demo.page.locator('#log li[data-type="operation.completed"]').count()).toBe(1);
    // Prompt and generated text are visibly different: different typefaces and backgrounds.
    const [prompt, output] = await Promise.all(
      ['#prompt', '#output'].map((sel) =>
        demo.page.$eval(sel, (el) => [getComputedStyle(el).fontFamily, getComputedStyle(el).backgroundColor].join('|')),
      ),
    );
    expect(prompt).not.toBe(output);
    expect(demo.pageErrors).toEqual([]);
  });

  it('Genesis: runs the characters, world and plot pipeline and shows its stages', async () => {
    const demo = await openDemo('writer-genesis');
    const id = await demo.genesis('Two rival bakers on a floating island.');
    const stages = new Set<string>();
    while ((await demo.outputState()) !== 'done') {
      stages.add((await demo.page.locator('#stage').textContent()) ?? '');
      await demo.page.waitForTimeout(100);
    }
    const stored = await demo.stored(id);
    expect(stored.kind).toBe('pipeline');
    expect(stored.result!.stages!.map((s) => s.name)).toEqual(['characters', 'world', 'plot']);
    expect(await demo.textContent()).toBe(stored.result!.text);
    expect([...stages].some((s) => /Stage [123] of 3: (characters|world|plot)/.test(s))).toBe(true);
  });

  it('Stop: the operation ends cancelled and the page says so', async () => {
    const demo = await openDemo('writer-stop');
    const id = await demo.generate('An orchestra tunes for a concert that never starts.');
    await demo.waitForChunks(5);
    await demo.page.click('#stop');
    await demo.waitForFinish();

    expect(await demo.page.locator('#status').textContent()).toMatch(/cancelled/i);
    expect(await demo.page.locator('#status').getAttribute('data-status')).toBe('cancelled');
    expect((await demo.stored(id)).status).toBe('cancelled');
    expect(await demo.page.locator('#generate').isEnabled()).toBe(true);
    expect(await demo.page.locator('#stop').isEnabled()).toBe(false);
  });

  it('says what to do without a token instead of failing silently', async () => {
    const page = await browser.context.newPage();
    await page.goto(`${herald.url}/`);
    await page.evaluate(() => sessionStorage.clear());
    await page.reload();
    expect(await page.locator('#notice').textContent()).toContain('?token=');
    expect(await page.locator('#generate').isDisabled()).toBe(true);
  });

  it.each([
    ['desktop', { width: 1280, height: 900 }],
    ['phone', { width: 390, height: 844 }],
  ])('renders the finished page (%s): a non-blank PNG with nothing wider than the screen', async (name, viewport) => {
    const demo = await openDemo(`writer-shot-${name}`);
    await demo.page.setViewportSize(viewport);
    await demo.generate('A lighthouse keeper finds a letter addressed to someone who died a century ago.');
    await demo.waitForFinish();

    const png = await demo.page.screenshot({ fullPage: true });
    mkdirSync(SCREENSHOT_DIR, { recursive: true });
    writeFileSync(join(SCREENSHOT_DIR, `finished-page-${name}.png`), png);
    const summary = summarizePng(png);
    expect(summary.width).toBe(viewport.width);
    expect(summary.height).toBeGreaterThanOrEqual(viewport.height);
    expect(summary.colours).toBeGreaterThan(50);
    expect(summary.inked).toBeGreaterThan(0.05);
    // Reads well on a phone: no horizontal scrolling.
    const overflow = await demo.page.evaluate(() => document.documentElement.scrollWidth - window.innerWidth);
    expect(overflow).toBeLessThanOrEqual(0);
  });
});
