import { IdleTimer } from './idle-timer';
import { ProviderFailure } from './provider-failure';
import { retryAfterMs } from './retry-policy';
import { sseData } from './sse-data';

export interface ChatCompletionCall {
  url: string;
  headers: Record<string, string>;
  body: unknown;
  /** Longest silence (before the response or between bytes) before the request counts as stalled. */
  idleTimeoutMs: number;
}

interface ChatChunk {
  choices?: { delta?: { content?: unknown }; finish_reason?: unknown }[];
  error?: { message?: unknown };
}

const MAX_ERROR_BODY_CHARS = 500;

/**
 * One streaming chat completion request: yields the content pieces until the
 * provider says it has finished. Provider-side trouble is thrown as a
 * ProviderFailure; when `signal` aborts, the abort error is rethrown as is.
 * The HTTP request is aborted whenever this ends early — a failure, the
 * signal, or the consumer breaking off — so no connection outlives its job.
 */
export async function* streamChatCompletion(call: ChatCompletionCall, signal: AbortSignal): AsyncGenerator<string> {
  const idle = new IdleTimer(call.idleTimeoutMs);
  const request = new AbortController();
  let finished = false;
  try {
    const response = await fetch(call.url, {
      method: 'POST',
      headers: call.headers,
      body: JSON.stringify(call.body),
      signal: AbortSignal.any([signal, idle.signal, request.signal]),
    });
    idle.touch();
    if (!response.ok) throw await statusFailure(response);
    if (!response.body) throw new ProviderFailure('malformed', 'the provider answered without a body');
    for await (const data of sseData(touching(response.body, idle))) {
      if (data === '[DONE]') return;
      const chunk = parseChunk(data);
      const choice = chunk.choices?.[0];
      const content = choice?.delta?.content;
      if (typeof content === 'string' && content !== '') {
        idle.pause();
        yield content;
        idle.touch();
      }
      if (choice?.finish_reason) finished = true;
    }
    // Some servers omit [DONE]; a finish_reason is just as final.
    if (!finished) throw new ProviderFailure('malformed', 'the stream ended without [DONE] or a finish_reason');
  } catch (error) {
    if (signal.aborted) throw error;
    // After a finish_reason nothing of the answer is missing, whatever happens to the rest of the body.
    if (finished) return;
    if (error instanceof ProviderFailure) throw error;
    if (idle.fired) throw new ProviderFailure('unavailable', `the provider sent no data for ${call.idleTimeoutMs} ms`);
    throw new ProviderFailure('unavailable', `connection to the provider failed: ${describe(error)}`);
  } finally {
    idle.pause();
    request.abort();
  }
}

/** The body's bytes, each one restarting the idle timer. */
async function* touching(body: ReadableStream<Uint8Array>, idle: IdleTimer): AsyncGenerator<Uint8Array> {
  const reader = body.getReader();
  try {
    for (;;) {
      const { done, value } = await reader.read();
      if (done) return;
      idle.touch();
      yield value;
    }
  } finally {
    reader.releaseLock();
  }
}

function parseChunk(data: string): ChatChunk {
  let chunk: unknown;
  try {
    chunk = JSON.parse(data);
  } catch {
    throw new ProviderFailure('malformed', `the stream carried data that is not JSON: ${clip(data, 80)}`);
  }
  if (typeof chunk !== 'object' || chunk === null) {
    throw new ProviderFailure('malformed', `the stream carried data that is not a chunk object: ${clip(data, 80)}`);
  }
  const error = (chunk as ChatChunk).error;
  // Servers that fail after the 200 report it in-band (OpenAI, vLLM, LiteLLM do).
  if (error) throw new ProviderFailure('unavailable', `the provider failed mid-stream: ${String(error.message ?? 'unknown error')}`);
  return chunk as ChatChunk;
}

async function statusFailure(response: Response): Promise<ProviderFailure> {
  const message = `${response.status}: ${await errorMessage(response)}`;
  if (response.status === 429) {
    return new ProviderFailure('rate-limited', `the provider is rate limiting (${message})`, retryAfterMs(response.headers));
  }
  if (response.status >= 500) {
    return new ProviderFailure('unavailable', `the provider failed (${message})`, retryAfterMs(response.headers));
  }
  return new ProviderFailure('rejected', `the provider rejected the request (${message})`);
}

/** The provider's own words: `error.message` of an OpenAI-style error body, else the start of the body. */
async function errorMessage(response: Response): Promise<string> {
  const text = await response.text().catch(() => '');
  try {
    const message = (JSON.parse(text) as ChatChunk).error?.message;
    if (typeof message === 'string' && message !== '') return message;
  } catch {
    // not JSON: fall through to the raw text
  }
  return clip(text.trim(), MAX_ERROR_BODY_CHARS) || response.statusText || 'no details';
}

function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  // undici reports the socket-level reason (ECONNREFUSED, "other side closed") as the cause.
  const cause = (error as { cause?: unknown }).cause;
  return cause instanceof Error ? `${error.message} (${cause.message})` : error.message;
}

function clip(text: string, max: number): string {
  return text.length > max ? `${text.slice(0, max)}…` : text;
}
