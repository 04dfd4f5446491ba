import { FakeLlmServer, statusReply, streamReply } from '../../../test/support/fake-llm-server';
import { chatCompletionsUrl, OpenAiGenerator, OpenAiGeneratorOptions } from './openai.generator';
import { GenerationError, GenerationRequest } from './text-generator';

const TOKENS = ['Once', ' upon', ' a', ' time', ',', ' a', ' fox', ' wrote', ' code', '.'];
const TEXT = TOKENS.join('');

async function collect(stream: AsyncIterable<string>): Promise<string[]> {
  const out: string[] = [];
  for await (const piece of stream) out.push(piece);
  return out;
}

async function failure(stream: AsyncIterable<string>): Promise<GenerationError> {
  const error = await collect(stream).then(
    () => null,
    (e: unknown) => e,
  );
  if (!(error instanceof GenerationError)) throw new Error(`expected a GenerationError, got ${String(error)}`);
  return error;
}

describe('OpenAiGenerator', () => {
  let fake: FakeLlmServer;
  const never = new AbortController().signal;
  const request: GenerationRequest = { prompt: 'tell a story', maxTokens: 50, delivered: '' };

  function generator(options: Partial<OpenAiGeneratorOptions> = {}): OpenAiGenerator {
    return new OpenAiGenerator({
      baseUrl: fake.url,
      apiKey: 'sk-test',
      model: 'fake-model',
      idleTimeoutMs: 2_000,
      maxRetries: 3,
      backoff: { baseMs: 10, maxMs: 40 },
      ...options,
    });
  }

  beforeAll(async () => {
    fake = await FakeLlmServer.start();
  });
  beforeEach(() => fake.reset(streamReply(TOKENS)));
  afterAll(() => fake.close());

  it('streams the tokens of a chat completion', async () => {
    expect(await collect(generator().stream(request, never))).toEqual(TOKENS);
    const [sent] = fake.requests;
    expect(sent.path).toBe('/v1/chat/completions');
    expect(sent.headers.authorization).toBe('Bearer sk-test');
    expect(sent.body).toEqual({
      model: 'fake-model',
      stream: true,
      max_tokens: 50,
      messages: [{ role: 'user', content: 'tell a story' }],
    });
    expect(await sent.ended).toBe('completed');
  });

  it("uses the operation's model and sends no Authorization without a key", async () => {
    await collect(generator({ apiKey: null }).stream({ ...request, model: 'other-model' }, never));
    expect(fake.requests[0].body.model).toBe('other-model');
    expect(fake.requests[0].headers.authorization).toBeUndefined();
  });

  it('aborts the HTTP request when the signal aborts, and ends without an error', async () => {
    fake.setFallback(streamReply(TOKENS, { intervalMs: 100 }));
    const controller = new AbortController();
    const pieces: string[] = [];
    for await (const piece of generator().stream(request, controller.signal)) {
      pieces.push(piece);
      if (pieces.length === 2) controller.abort(new Error('cancelled'));
    }
    expect(pieces).toEqual(TOKENS.slice(0, 2));
    expect(await fake.requests[0].ended).toBe('client-closed');
    expect(fake.requests).toHaveLength(1);
  });

  it('aborts the HTTP request when the consumer stops reading', async () => {
    fake.setFallback(streamReply(TOKENS, { intervalMs: 50 }));
    for await (const piece of generator().stream(request, never)) if (piece === ' upon') break;
    expect(await fake.requests[0].ended).toBe('client-closed');
  });

  it('retries a stalled request, continuing after what it had already sent', async () => {
    fake.script(streamReply(TOKENS, { cut: { after: 3, how: 'stall' } }));
    const pieces = await collect(generator({ idleTimeoutMs: 200 }).stream(request, never));
    expect(pieces).toEqual(TOKENS);
    expect(await fake.requests[0].ended).toBe('client-closed');
    expect(fake.requests[1].prefix).toBe(TOKENS.slice(0, 3).join(''));
  });

  it('retries a request that stalls before the first token', async () => {
    fake.script(streamReply(TOKENS, { cut: { after: 0, how: 'stall' } }));
    expect((await collect(generator({ idleTimeoutMs: 200 }).stream(request, never))).join('')).toBe(TEXT);
    expect(fake.requests.map((r) => r.prefix)).toEqual([null, null]);
  });

  it.each(['drop', 'end'] as const)('continues after a stream cut off (%s) with the right assistant prefix', async (how) => {
    const delivered = TOKENS.slice(0, 2).join('');
    fake.script(streamReply(TOKENS, { cut: { after: 3, how } }));
    const pieces = await collect(generator().stream({ ...request, delivered, deliveredTokens: 2 }, never));
    expect(delivered + pieces.join('')).toBe(TEXT);
    expect(pieces).toEqual(TOKENS.slice(2));
    const [first, second] = fake.requests;
    expect(first.prefix).toBe(delivered);
    expect(first.body.max_tokens).toBe(48);
    expect(second.prefix).toBe(TOKENS.slice(0, 5).join(''));
    expect(second.body.messages).toEqual([
      { role: 'user', content: 'tell a story' },
      { role: 'assistant', content: TOKENS.slice(0, 5).join('') },
    ]);
    expect(second.body.max_tokens).toBe(45);
    expect(await first.ended).toBe(how === 'drop' ? 'dropped' : 'completed');
  });

  it('sends nothing when the delivered tokens already use up the budget', async () => {
    expect(await collect(generator().stream({ ...request, maxTokens: 4, delivered: 'abcd', deliveredTokens: 4 }, never))).toEqual([]);
    expect(fake.requests).toHaveLength(0);
  });

  it('waits as long as Retry-After asks after a 429, then succeeds', async () => {
    fake.script(statusReply(429, 'slow down', { 'Retry-After': '1' }));
    const started = Date.now();
    expect(await collect(generator().stream(request, never))).toEqual(TOKENS);
    expect(Date.now() - started).toBeGreaterThanOrEqual(950);
    expect(fake.requests).toHaveLength(2);
  });

  it('gives up on repeated 429s as RATE_LIMITED, retryable', async () => {
    fake.setFallback(statusReply(429, 'slow down', { 'Retry-After': '0' }));
    const error = await failure(generator({ maxRetries: 1 }).stream(request, never));
    expect(error).toMatchObject({ code: 'RATE_LIMITED', retryable: true });
    expect(fake.requests).toHaveLength(2);
  });

  it('gives up on a provider that keeps answering 500 with a retryable PROVIDER_UNAVAILABLE', async () => {
    fake.setFallback(statusReply(500, 'the model is on fire'));
    const error = await failure(generator({ maxRetries: 2 }).stream(request, never));
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true });
    expect(error.message).toContain('the model is on fire');
    expect(error.message).toContain('3 attempts');
    expect(fake.requests).toHaveLength(3);
  });

  it('recovers from a 503 followed by success', async () => {
    fake.script(statusReply(503, 'overloaded'), statusReply(502, 'bad gateway'));
    expect(await collect(generator().stream(request, never))).toEqual(TOKENS);
    expect(fake.requests).toHaveLength(3);
  });

  it('fails a 400 at once, not retryable, with the provider message', async () => {
    fake.setFallback(statusReply(400, "This model's maximum context length is 8192 tokens"));
    const error = await failure(generator().stream(request, never));
    expect(error).toMatchObject({ code: 'PROVIDER_REJECTED', retryable: false });
    expect(error.message).toContain("This model's maximum context length is 8192 tokens");
    expect(fake.requests).toHaveLength(1);
  });

  it('fails a stream of garbage as MALFORMED_STREAM once retries are spent', async () => {
    fake.setFallback(streamReply(TOKENS, { cut: { after: 0, how: 'garbage' } }));
    const error = await failure(generator({ maxRetries: 1 }).stream(request, never));
    expect(error).toMatchObject({ code: 'MALFORMED_STREAM', retryable: true });
    expect(error.message).toContain('not JSON');
    expect(fake.requests).toHaveLength(2);
  });

  it('fails as PROVIDER_UNAVAILABLE when nothing listens at the base URL', async () => {
    const gone = await FakeLlmServer.start();
    await gone.close();
    const error = await failure(generator({ baseUrl: gone.url, maxRetries: 1 }).stream(request, never));
    expect(error).toMatchObject({ code: 'PROVIDER_UNAVAILABLE', retryable: true });
    expect(error.message).toMatch(/connection to the provider failed/);
  });

  it('stops waiting for a retry when the signal aborts', async () => {
    fake.setFallback(statusReply(429, 'slow down', { 'Retry-After': '30' }));
    const controller = new AbortController();
    setTimeout(() => controller.abort(), 200);
    const started = Date.now();
    expect(await collect(generator().stream(request, controller.signal))).toEqual([]);
    expect(Date.now() - started).toBeLessThan(2_000);
  });
});

describe('chatCompletionsUrl', () => {
  it('accepts the base URL with or without /v1', () => {
    expect(chatCompletionsUrl('http://llm:8000')).toBe('http://llm:8000/v1/chat/completions');
    expect(chatCompletionsUrl('https://api.openai.com/v1/')).toBe('https://api.openai.com/v1/chat/completions');
    expect(chatCompletionsUrl('http://proxy/openai')).toBe('http://proxy/openai/v1/chat/completions');
  });
});
