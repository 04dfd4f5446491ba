import type { Operation } from '@herald/contracts';
import { Page } from 'playwright-core';

/** The demo page as a test drives it, through the ids and data attributes the page renders. */
export class DemoPage {
  readonly pageErrors: string[] = [];

  constructor(
    readonly page: Page,
    private readonly baseUrl: string,
    private readonly token: string,
  ) {
    page.on('pageerror', (error) => this.pageErrors.push(error.message));
  }

  async open(): Promise<void> {
    await this.page.goto(`${this.baseUrl}/?token=${encodeURIComponent(this.token)}`);
    await this.page.waitForSelector('#generate:not([disabled])');
  }

  async generate(prompt: string): Promise<string> {
    await this.page.fill('#prompt', prompt);
    await this.page.click('#generate');
    return this.operationId();
  }

  async genesis(prompt: string): Promise<string> {
    await this.page.fill('#prompt', prompt);
    await this.page.click('#genesis');
    return this.operationId();
  }

  /** The id of the operation the page follows, once it has one. */
  async operationId(): Promise<string> {
    const handle = await this.page.waitForFunction(() => document.getElementById('output')?.dataset.operationId);
    return (await handle.jsonValue()) as string;
  }

  async textContent(): Promise<string> {
    return (await this.page.locator('#output-text').textContent()) ?? '';
  }

  /** State, text length and typing indicator read in one go, so they describe the same moment. */
  sample(): Promise<{ state: string | undefined; length: number; caret: boolean }> {
    return this.page.evaluate(() => {
      const output = document.getElementById('output')!;
      return {
        state: output.dataset.state,
        length: document.getElementById('output-text')!.textContent!.length,
        caret: getComputedStyle(output.querySelector('.caret')!).display !== 'none',
      };
    });
  }

  outputState(): Promise<string | null> {
    return this.page.locator('#output').getAttribute('data-state');
  }

  async waitForChunks(count: number, timeoutMs = 30_000): Promise<void> {
    await this.page.waitForFunction(
      (n) => Number(document.getElementById('output')?.dataset.chunks ?? 0) >= n,
      count,
      { timeout: timeoutMs },
    );
  }

  async waitForConnection(state: string, timeoutMs = 30_000): Promise<void> {
    await this.page.waitForFunction((s) => document.getElementById('connection')?.dataset.state === s, state, {
      timeout: timeoutMs,
    });
  }

  /** Resolves when the operation shown has ended (any terminal status). */
  async waitForFinish(timeoutMs = 60_000): Promise<void> {
    await this.page.waitForFunction(() => document.getElementById('output')?.dataset.state === 'done', null, {
      timeout: timeoutMs,
    });
  }

  /** Labels of the connection notes in the event log, oldest first. */
  connectionLog(): Promise<string[]> {
    return this.page.$$eval('#log li[data-type="connection"] .detail', (items) => items.map((i) => i.textContent ?? ''));
  }

  async stored(operationId: string): Promise<Operation> {
    const res = await fetch(`${this.baseUrl}/api/operations/${operationId}`, {
      headers: { Authorization: `Bearer ${this.token}` },
    });
    return (await res.json()) as Operation;
  }
}
