import { getEventListeners } from 'node:events';
import { SimulatedGenerator } from './simulated.generator';
import { simulatedTokens } from './simulated-text';

async function collect(it: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const t of it) out.push(t);
  return out;
}

describe('SimulatedGenerator', () => {
  const generator = new SimulatedGenerator(100_000);
  const signal = new AbortController().signal;

  it('gives the same tokens for the same prompt and different ones for another', () => {
    expect(simulatedTokens('a dragon story', 50)).toEqual(simulatedTokens('a dragon story', 50));
    expect(simulatedTokens('a dragon story', 50)).not.toEqual(simulatedTokens('a robot story', 50));
  });

  it('yields exactly maxTokens tokens', async () => {
    expect(await collect(generator.stream({ prompt: 'p', maxTokens: 37, delivered: '' }, signal))).toHaveLength(37);
  });

  it('continues after delivered text without repeating it', async () => {
    const all = simulatedTokens('continue me', 40);
    const delivered = all.slice(0, 15).join('');
    const rest = await collect(generator.stream({ prompt: 'continue me', maxTokens: 40, delivered }, signal));
    expect(delivered + rest.join('')).toBe(all.join(''));
    expect(rest).toEqual(all.slice(15));
  });

  it('refuses a continuation that does not belong to the prompt', async () => {
    await expect(collect(generator.stream({ prompt: 'x', maxTokens: 5, delivered: 'nope' }, signal))).rejects.toThrow(
      'does not match',
    );
  });

  it('stops when aborted', async () => {
    const slow = new SimulatedGenerator(10);
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 250);
    const tokens = await collect(slow.stream({ prompt: 'p', maxTokens: 100, delivered: '' }, controller.signal));
    expect(tokens.length).toBeLessThan(10);
  });

  it('lets go of the signal when the consumer stops early', async () => {
    const controller = new AbortController();
    for await (const token of generator.stream({ prompt: 'p', maxTokens: 50, delivered: '' }, controller.signal)) {
      expect(token).toBeTruthy();
      break;
    }
    expect(getEventListeners(controller.signal, 'abort')).toHaveLength(0);
  });
});
