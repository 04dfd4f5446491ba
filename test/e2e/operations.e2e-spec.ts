import { ApiClient, contentChunks, textGeneration } from './support/api-client';
import { useHerald } from './support/boot-app';
import { MODES } from './modes';

// SPEC §3 Operations: starting one (shape, links, both kinds), what the body
// may contain, Idempotency-Key, and reading it back once it has run.

const UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;
const ISO_TIME = /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\.\d{3}Z$/;

const prompt = (length: number) => 'p'.repeat(length);
const stage = (name: string, maxTokens = 3) => ({ name, prompt: `Write the ${name}`, maxTokens });

// Every refused body answers 400 in the common error shape; none starts an operation.
const INVALID_BODIES: [string, unknown][] = [
  ['an unknown top-level field', { ...textGeneration(), priority: 'high' }],
  ['an unknown input field', { kind: 'text-generation', input: { prompt: 'hi', temperature: 2 } }],
  ['an unknown stage field', { kind: 'pipeline', input: { stages: [{ ...stage('plot'), colour: 'red' }] } }],
  ['no kind', { input: { prompt: 'hi' } }],
  ['an unknown kind', { kind: 'video', input: { prompt: 'hi' } }],
  ['no input', { kind: 'text-generation' }],
  ['an input that is not an object', { kind: 'text-generation', input: 'hi' }],
  ['an empty prompt', { kind: 'text-generation', input: { prompt: '' } }],
  ['a prompt of 20001 characters', { kind: 'text-generation', input: { prompt: prompt(20001) } }],
  ['a prompt that is not a string', { kind: 'text-generation', input: { prompt: 42 } }],
  ['maxTokens 0', { kind: 'text-generation', input: { prompt: 'hi', maxTokens: 0 } }],
  ['maxTokens 4097', { kind: 'text-generation', input: { prompt: 'hi', maxTokens: 4097 } }],
  ['a fractional maxTokens', { kind: 'text-generation', input: { prompt: 'hi', maxTokens: 1.5 } }],
  ['maxTokens as a string', { kind: 'text-generation', input: { prompt: 'hi', maxTokens: '10' } }],
  ['no stages', { kind: 'pipeline', input: { stages: [] } }],
  ['21 stages', { kind: 'pipeline', input: { stages: Array.from({ length: 21 }, (_, i) => stage(`s${i}`)) } }],
  ['a stage without a prompt', { kind: 'pipeline', input: { stages: [{ name: 'plot' }] } }],
  ['a stage with maxTokens 4097', { kind: 'pipeline', input: { stages: [stage('plot', 4097)] } }],
  ['a pipeline input given to text-generation', { kind: 'text-generation', input: { stages: [stage('plot')] } }],
  ['an empty workflowId', { ...textGeneration(), workflowId: '' }],
  ['a workflowId with a space', { ...textGeneration(), workflowId: 'my workflow' }],
  ['a workflowId of 129 characters', { ...textGeneration(), workflowId: 'w'.repeat(129) }],
  ['an agentId with a slash', { ...textGeneration(), agentId: 'agents/1' }],
  ['an agentId that is not a string', { ...textGeneration(), agentId: 7 }],
];

describe.each(MODES)('operations: the active-operation limit (%s mode)', (mode) => {
  const herald = useHerald(mode, { MAX_ACTIVE_OPERATIONS_PER_USER: '1', SIM_TOKENS_PER_SECOND: '5' });

  it('refuses a start over the limit with 429 and spends no event id on it', async () => {
    const alice = new ApiClient(herald());
    const running = await alice.start(textGeneration());
    const refused = await alice.post('/api/operations').send(textGeneration());
    const before = Number(await alice.lastEventId());
    await alice.cancel(running.id);
    await alice.waitForEnd(running.id);
    const next = await alice.start(textGeneration());

    expect(refused.status).toBe(429);
    expect(refused.body.code).toBe('TOO_MANY_OPERATIONS');
    const ids = (await alice.storedEvents()).map((e) => Number(e.id));
    expect(ids).toEqual(ids.map((_, i) => i + 1));
    const queued = await alice.storedEvents({ operationId: next.id });
    expect(Number(queued[0].id)).toBeGreaterThan(before);
  });
});

describe.each(MODES)('operations: start and read (%s mode)', (mode) => {
  const herald = useHerald(mode);

  it('answers 202 with the queued operation and links that work', async () => {
    const alice = new ApiClient(herald());
    const res = await alice.post('/api/operations').send(textGeneration({ workflowId: 'wf.1:a-b_c', agentId: 'agent-7' }));

    expect(res.status).toBe(202);
    const { id } = res.body;
    expect(id).toMatch(UUID);
    expect(res.body).toEqual({
      id,
      kind: 'text-generation',
      status: 'queued',
      createdAt: expect.stringMatching(ISO_TIME),
      links: {
        self: `/api/operations/${id}`,
        events: `/api/events/operations/${id}`,
        cancel: `/api/operations/${id}/cancel`,
      },
    });

    const self = await alice.get(res.body.links.self);
    expect(self.status).toBe(200);
    expect(self.body).toMatchObject({ id, kind: 'text-generation', workflowId: 'wf.1:a-b_c', agentId: 'agent-7' });
    await alice.waitForEnd(id);
    const events = await alice.get(res.body.links.events).buffer(true);
    expect(events.status).toBe(200);
    expect(events.text).toContain('event: operation.completed');
  });

  it('runs a text generation to completion; its result is exactly the streamed content', async () => {
    const alice = new ApiClient(herald());
    const { id } = await alice.start(textGeneration({ maxTokens: 12 }));
    const op = await alice.waitForEnd(id);

    expect(op).toEqual({
      id,
      kind: 'text-generation',
      status: 'completed',
      workflowId: null,
      agentId: null,
      progress: expect.objectContaining({ current: 12, total: 12, percentage: 100 }),
      result: { text: expect.any(String), tokens: 12, durationMs: expect.any(Number) },
      error: null,
      attempts: 1,
      createdAt: expect.stringMatching(ISO_TIME),
      startedAt: expect.stringMatching(ISO_TIME),
      finishedAt: expect.stringMatching(ISO_TIME),
      lastEventId: expect.stringMatching(/^\d+$/),
    });
    expect(op.result!.text.length).toBeGreaterThan(0);
    expect(Date.parse(op.startedAt!)).toBeGreaterThanOrEqual(Date.parse(op.createdAt));
    expect(Date.parse(op.finishedAt!)).toBeGreaterThanOrEqual(Date.parse(op.startedAt!));

    const events = await alice.storedEvents({ operationId: id });
    const content = contentChunks(events);
    expect(content.map((e) => e.data.index)).toEqual(content.map((_, i) => i));
    expect(content.map((e) => e.data.text).join('')).toBe(op.result!.text);
    let offset = 0;
    for (const chunk of content) {
      expect(chunk.data.offset).toBe(offset);
      offset += chunk.data.text.length;
    }
    expect(events.at(-1)).toMatchObject({ id: op.lastEventId, type: 'operation.completed', data: { result: op.result } });
  });

  it('runs a pipeline stage by stage, in order', async () => {
    const alice = new ApiClient(herald());
    const stages = [stage('characters', 4), stage('world', 3), stage('plot', 5)];
    const accepted = await alice.start({ kind: 'pipeline', input: { stages } });
    expect(accepted).toMatchObject({ kind: 'pipeline', status: 'queued' });
    const op = await alice.waitForEnd(accepted.id);

    expect(op.status).toBe('completed');
    expect(op.result!.stages!.map((s) => s.name)).toEqual(['characters', 'world', 'plot']);
    expect(op.result!.text).toBe(op.result!.stages!.map((s) => s.text).join(''));
    expect(op.result!.tokens).toBe(12);
    expect(op.progress).toMatchObject({ percentage: 100, stageCount: 3 });

    const content = contentChunks(await alice.storedEvents({ operationId: op.id, types: 'operation.content' }));
    const stageOrder = content.map((e) => e.data.stage).filter((s, i, all) => s !== all[i - 1]);
    expect(stageOrder).toEqual(['characters', 'world', 'plot']);
    for (const { name, text } of op.result!.stages!) {
      expect(content.filter((e) => e.data.stage === name).map((e) => e.data.text).join('')).toBe(text);
    }
    expect(content.map((e) => e.data.text).join('')).toBe(op.result!.text);
  });

  it('accepts the limits themselves', async () => {
    const alice = new ApiClient(herald());
    const longest = await alice.start({
      kind: 'text-generation',
      input: { prompt: prompt(20000), maxTokens: 1, model: 'sim' },
      workflowId: 'w'.repeat(128),
      agentId: 'A-z_0.9:x',
    });
    const twenty = await alice.start({
      kind: 'pipeline',
      input: { stages: Array.from({ length: 20 }, (_, i) => stage(`s${i}`, 1)) },
    });
    expect((await alice.waitForEnd(longest.id)).status).toBe('completed');
    const pipeline = await alice.waitForEnd(twenty.id);
    expect(pipeline.result!.stages).toHaveLength(20);
  });

  it.each(INVALID_BODIES)('refuses %s with 400', async (_case, body) => {
    const alice = new ApiClient(herald());
    const res = await alice.post('/api/operations').send(body as object);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(String), code: expect.any(String) });
    expect((await alice.get('/api/operations')).body.items).toEqual([]);
  });

  it('answers 413 to a body over 256 KiB', async () => {
    const alice = new ApiClient(herald());
    const res = await alice.post('/api/operations').send(textGeneration({ prompt: prompt(256 * 1024) }));

    expect(res.status).toBe(413);
    expect(res.body).toEqual({ statusCode: 413, error: 'Payload Too Large', message: expect.any(String), code: 'PAYLOAD_TOO_LARGE' });
  });

  it('answers 400 to a body that is not valid JSON', async () => {
    const alice = new ApiClient(herald());
    const res = await alice.post('/api/operations').set('Content-Type', 'application/json').send('{"kind": "text-generation",');

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(String), code: 'INVALID_JSON' });
  });

  describe('Idempotency-Key', () => {
    it('returns the original operation for a repeat and runs it only once', async () => {
      const alice = new ApiClient(herald());
      const first = await alice.start(textGeneration(), { 'Idempotency-Key': 'order-42' });
      await alice.waitForEnd(first.id);
      const repeat = await alice.post('/api/operations').set('Idempotency-Key', 'order-42').send(textGeneration());

      expect(repeat.status).toBe(202);
      expect(repeat.body.id).toBe(first.id);
      expect(repeat.body.createdAt).toBe(first.createdAt);
      const list = await alice.get('/api/operations');
      expect(list.body.items.map((op: { id: string }) => op.id)).toEqual([first.id]);
      const events = await alice.storedEvents({ operationId: first.id });
      expect(events.filter((e) => e.type === 'operation.status' && e.data.status === 'queued')).toHaveLength(1);
      expect(events.filter((e) => e.type === 'operation.completed')).toHaveLength(1);
    });

    it('spends no event id on a repeat: the next event follows the last one without a hole', async () => {
      const alice = new ApiClient(herald());
      const first = await alice.start(textGeneration(), { 'Idempotency-Key': 'no-hole' });
      await alice.waitForEnd(first.id);
      const before = Number(await alice.lastEventId());
      const repeat = await alice.post('/api/operations').set('Idempotency-Key', 'no-hole').send(textGeneration());
      const next = await alice.start(textGeneration());

      expect(repeat.body.id).toBe(first.id);
      const queued = await alice.storedEvents({ operationId: next.id });
      expect(Number(queued[0].id)).toBe(before + 1);
    });

    it('creates one operation when two requests with the same key race', async () => {
      const alice = new ApiClient(herald());
      const send = () => alice.post('/api/operations').set('Idempotency-Key', 'double-click').send(textGeneration());
      const [a, b] = await Promise.all([send(), send()]);

      expect([a.status, b.status]).toEqual([202, 202]);
      expect(a.body.id).toBe(b.body.id);
      expect((await alice.get('/api/operations')).body.items).toHaveLength(1);
    });

    it('keeps keys apart per user and per key', async () => {
      const alice = new ApiClient(herald());
      const bob = new ApiClient(herald());
      const a1 = await alice.start(textGeneration(), { 'Idempotency-Key': 'same' });
      const a2 = await alice.start(textGeneration(), { 'Idempotency-Key': 'other' });
      const b1 = await bob.start(textGeneration(), { 'Idempotency-Key': 'same' });

      expect(new Set([a1.id, a2.id, b1.id]).size).toBe(3);
    });

    it('refuses a key longer than 128 characters', async () => {
      const alice = new ApiClient(herald());
      const res = await alice.post('/api/operations').set('Idempotency-Key', 'k'.repeat(129)).send(textGeneration());

      expect(res.status).toBe(400);
      expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: expect.any(String) });
      expect((await alice.get('/api/operations')).body.items).toEqual([]);
    });
  });

  it('answers an unknown route with 404 in the same error shape', async () => {
    const res = await new ApiClient(herald()).get('/api/operation');
    expect(res.status).toBe(404);
    expect(res.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String), code: 'NOT_FOUND' });
  });

  describe('GET /api/operations/:id', () => {
    it('answers 400 to an id that is not an operation id', async () => {
      const alice = new ApiClient(herald());
      for (const bad of ['not-a-uuid', '123', `${'0'.repeat(8)}-0000-0000-0000-00000000000g`]) {
        const res = await alice.get(`/api/operations/${bad}`);
        expect(res.status).toBe(400);
        expect(res.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: expect.any(String) });
      }
    });

    it("answers another user's operation exactly like one that does not exist", async () => {
      const alice = new ApiClient(herald());
      const mallory = new ApiClient(herald());
      const { id } = await alice.start();

      const theirs = await mallory.get(`/api/operations/${id}`);
      const missing = await mallory.get('/api/operations/00000000-0000-4000-8000-000000000000');
      expect(theirs.status).toBe(404);
      expect(theirs.body).toEqual(missing.body);
      expect(theirs.body).toEqual({ statusCode: 404, error: 'Not Found', message: expect.any(String), code: 'NOT_FOUND' });
      expect((await mallory.post(`/api/operations/${id}/cancel`)).status).toBe(404);
      expect((await alice.waitForEnd(id)).status).toBe('completed');
    });
  });
});
