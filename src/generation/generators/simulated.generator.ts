import { GenerationError, GenerationRequest, TextGenerator } from './text-generator';
import { StreamPacer } from './stream-pacer';
import { simulatedTokens } from './simulated-text';

/** LLM_PROVIDER=simulated: deterministic text at SIM_TOKENS_PER_SECOND, continuing after what was delivered. */
export class SimulatedGenerator extends TextGenerator {
  constructor(private readonly tokensPerSecond: number) {
    super();
  }

  async *stream(request: GenerationRequest, signal: AbortSignal): AsyncIterable<string> {
    const tokens = simulatedTokens(request.prompt, request.maxTokens);
    let skipped = 0;
    let i = 0;
    while (i < tokens.length && skipped + tokens[i].length <= request.delivered.length) skipped += tokens[i++].length;
    if (skipped !== request.delivered.length) {
      throw new GenerationError('CONTINUATION_MISMATCH', 'delivered text does not match this prompt', false);
    }
    const intervalMs = 1000 / this.tokensPerSecond;
    let next = Date.now();
    const pacer = new StreamPacer(signal);
    try {
      for (; i < tokens.length; i++) {
        next += intervalMs;
        await pacer.sleep(next - Date.now());
        if (signal.aborted) return;
        yield tokens[i];
      }
    } finally {
      pacer.close();
    }
  }
}
