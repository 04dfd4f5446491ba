import { abortableSleep } from './abortable-sleep';
import { streamChatCompletion } from './chat-completion-stream';
import { ProviderFailure, ProviderFailureKind } from './provider-failure';
import { BackoffOptions, DEFAULT_BACKOFF, retryDelay } from './retry-policy';
import { GenerationError, GenerationRequest, TextGenerator } from './text-generator';

export interface OpenAiGeneratorOptions {
  /** Server root, with or without the trailing /v1. */
  baseUrl: string;
  apiKey: string | null;
  /** Used when the operation names none. */
  model: string;
  idleTimeoutMs: number;
  /** Retries of a request that failed before yielding anything; a request that made progress starts the count over. */
  maxRetries: number;
  backoff?: BackoffOptions;
}

/** The error an operation fails with once retrying has not helped. */
const EXHAUSTED: Record<ProviderFailureKind, string> = {
  'rate-limited': 'RATE_LIMITED',
  unavailable: 'PROVIDER_UNAVAILABLE',
  malformed: 'MALFORMED_STREAM',
  rejected: 'PROVIDER_REJECTED',
};

/**
 * LLM_PROVIDER=openai: streaming chat completions from any OpenAI-compatible
 * server. A request that breaks off is sent again with everything already
 * delivered as the assistant's prefix, so the model continues the text instead
 * of repeating it. Aborting the signal (cancel, operation timeout) ends the
 * stream at once, without retrying; the runner reports why.
 */
export class OpenAiGenerator extends TextGenerator {
  private readonly url: string;
  private readonly headers: Record<string, string>;

  constructor(private readonly options: OpenAiGeneratorOptions) {
    super();
    this.url = chatCompletionsUrl(options.baseUrl);
    this.headers = { 'Content-Type': 'application/json', Accept: 'text/event-stream' };
    if (options.apiKey) this.headers.Authorization = `Bearer ${options.apiKey}`;
  }

  async *stream(request: GenerationRequest, signal: AbortSignal): AsyncIterable<string> {
    let produced = '';
    let pieces = 0;
    let failures = 0;
    for (;;) {
      const budget = request.maxTokens - (request.deliveredTokens ?? 0) - pieces;
      if (budget <= 0 || signal.aborted) return;
      const before = pieces;
      const call = {
        url: this.url,
        headers: this.headers,
        body: this.body(request, request.delivered + produced, budget),
        idleTimeoutMs: this.options.idleTimeoutMs,
      };
      try {
        for await (const piece of streamChatCompletion(call, signal)) {
          produced += piece;
          pieces++;
          yield piece;
        }
        return;
      } catch (error) {
        if (signal.aborted) return;
        if (!(error instanceof ProviderFailure)) throw error;
        if (error.kind === 'rejected') throw new GenerationError(EXHAUSTED.rejected, error.message, false);
        failures = pieces > before ? 1 : failures + 1;
        if (failures > this.options.maxRetries) {
          const attempts = failures === 1 ? '1 attempt' : `${failures} attempts in a row`;
          throw new GenerationError(EXHAUSTED[error.kind], `${error.message}; gave up after ${attempts}`, true);
        }
        const delay = retryDelay(failures, this.options.backoff ?? DEFAULT_BACKOFF, error.retryAfterMs);
        await abortableSleep(delay, signal);
      }
    }
  }

  private body(request: GenerationRequest, prefix: string, maxTokens: number): unknown {
    const messages = [{ role: 'user', content: request.prompt }];
    if (prefix !== '') messages.push({ role: 'assistant', content: prefix });
    return { model: request.model ?? this.options.model, stream: true, max_tokens: maxTokens, messages };
  }
}

/**
 * OpenAI's own clients expect the base URL to end in /v1, most other servers'
 * documentation leaves it off; both mean the same endpoint.
 */
export function chatCompletionsUrl(baseUrl: string): string {
  const base = baseUrl.replace(/\/+$/, '');
  return /\/v1$/.test(base) ? `${base}/chat/completions` : `${base}/v1/chat/completions`;
}
