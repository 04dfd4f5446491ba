import { ApiClient, LONG_RUNNING, sleep, textGeneration } from './support/api-client';
import { useHerald } from './support/boot-app';
import { MODES } from './modes';

// SPEC §3 cancel and §5 active-operation limit.

const MAX_ACTIVE = 2;

describe.each(MODES)('operations: cancel and limits (%s mode)', (mode) => {
  // One job at a time, so a second operation provably waits in the queue.
  const herald = useHerald(mode, { MAX_ACTIVE_OPERATIONS_PER_USER: String(MAX_ACTIVE), WORKER_CONCURRENCY: '1' });

  it('cancels a running operation: 202, then it ends cancelled with operation.cancelled last', async () => {
    const alice = new ApiClient(herald());
    const { id } = await alice.start(textGeneration(LONG_RUNNING));
    await alice.waitFor(id, (op) => op.status === 'running' && (op.progress?.current ?? 0) > 0);

    const res = await alice.post(`/api/operations/${id}/cancel`);
    expect(res.status).toBe(202);
    const op = await alice.waitForEnd(id);

    expect(op.status).toBe('cancelled');
    expect(op.result).toBeNull();
    expect(op.finishedAt).not.toBeNull();
    const events = await alice.storedEvents({ operationId: id });
    const last = events.at(-1)!;
    expect(last).toMatchObject({ type: 'operation.cancelled', data: { reason: expect.any(String) } });
    expect(op.lastEventId).toBe(last.id);
    expect(events.filter((e) => e.type === 'operation.cancelled')).toHaveLength(1);
    expect(events.at(-2)).toMatchObject({ type: 'operation.status', data: { status: 'cancelled' } });
    // It stopped well before its 4096 tokens.
    expect(events.filter((e) => e.type === 'operation.content').length).toBeLessThan(LONG_RUNNING.maxTokens);
  });

  it('cancels a queued operation before it ever runs', async () => {
    const alice = new ApiClient(herald());
    const blocker = await alice.start(textGeneration(LONG_RUNNING));
    await alice.waitFor(blocker.id, (op) => op.status === 'running');
    const { id } = await alice.start(textGeneration());
    expect((await alice.operation(id)).status).toBe('queued');

    expect((await alice.post(`/api/operations/${id}/cancel`)).status).toBe(202);
    const op = await alice.waitForEnd(id);
    expect(op).toMatchObject({ status: 'cancelled', startedAt: null, result: null });
    const events = await alice.storedEvents({ operationId: id });
    expect(events.map((e) => [e.type, e.data.status])).toEqual([
      ['operation.status', 'queued'],
      ['operation.status', 'cancelled'],
      ['operation.cancelled', undefined],
    ]);
    expect(events[1].data.previousStatus).toBe('queued');

    // It left the queue: freeing the worker does not run it.
    await alice.cancel(blocker.id);
    await alice.waitForEnd(blocker.id);
    await alice.run(textGeneration({ maxTokens: 2 }));
    expect(await alice.storedEvents({ operationId: id })).toEqual(events);
  });

  it('answers a repeated cancel with 202 and changes nothing', async () => {
    const alice = new ApiClient(herald());
    const { id } = await alice.start(textGeneration(LONG_RUNNING));
    await alice.cancel(id);
    const ended = await alice.waitForEnd(id);
    const before = await alice.storedEvents({ operationId: id });

    const again = await alice.post(`/api/operations/${id}/cancel`);
    expect(again.status).toBe(202);
    // Anything a second cancel wrongly triggered would be stored by now.
    await sleep(300);
    expect(await alice.storedEvents({ operationId: id })).toEqual(before);
    expect(await alice.operation(id)).toEqual(ended);
  });

  it('answers 409 to cancelling a finished operation', async () => {
    const alice = new ApiClient(herald());
    const op = await alice.run(textGeneration({ maxTokens: 3 }));
    expect(op.status).toBe('completed');

    const res = await alice.post(`/api/operations/${op.id}/cancel`);
    expect(res.status).toBe(409);
    expect(res.body).toEqual({ statusCode: 409, error: 'Conflict', message: expect.any(String), code: expect.any(String) });
    expect((await alice.operation(op.id)).status).toBe('completed');
  });

  it('answers 400 to a malformed id and 404 to an unknown one', async () => {
    const alice = new ApiClient(herald());
    expect((await alice.post('/api/operations/nope/cancel')).status).toBe(400);
    expect((await alice.post('/api/operations/00000000-0000-4000-8000-000000000000/cancel')).status).toBe(404);
  });

  it(`refuses a user's operation number ${MAX_ACTIVE + 1} with 429 and Retry-After until one ends`, async () => {
    const alice = new ApiClient(herald());
    const bob = new ApiClient(herald());
    const active = [await alice.start(textGeneration(LONG_RUNNING)), await alice.start(textGeneration(LONG_RUNNING))];

    const refused = await alice.post('/api/operations').send(textGeneration());
    expect(refused.status).toBe(429);
    expect(Number(refused.headers['retry-after'])).toBeGreaterThan(0);
    expect(refused.body).toEqual({ statusCode: 429, error: 'Too Many Requests', message: expect.any(String), code: expect.any(String) });
    expect((await alice.get('/api/operations')).body.items).toHaveLength(MAX_ACTIVE);
    // The limit is per user.
    expect((await bob.post('/api/operations').send(textGeneration())).status).toBe(202);

    await alice.cancel(active[0].id);
    await alice.waitForEnd(active[0].id);
    const third = await alice.post('/api/operations').send(textGeneration());
    expect(third.status).toBe(202);

    await alice.cancel(active[1].id);
    await alice.waitForEnd(active[1].id);
  });
});
