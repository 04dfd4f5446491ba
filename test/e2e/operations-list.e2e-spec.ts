import type { Operation, OperationList } from '@herald/contracts';
import { ApiClient, LONG_RUNNING, textGeneration } from './support/api-client';
import { useHerald } from './support/boot-app';
import { MODES } from './modes';

// SPEC §3: GET /api/operations lists the caller's own operations, newest
// first, with cursor paging and filters; a bad query is a 400.

describe.each(MODES)('operations: list (%s mode)', (mode) => {
  const herald = useHerald(mode);
  let alice: ApiClient;
  /** alice's operations, oldest first. */
  let created: Operation[];

  beforeAll(async () => {
    alice = new ApiClient(herald());
    const other = new ApiClient(herald());
    created = [
      await alice.run(textGeneration({ workflowId: 'wf-a', agentId: 'writer' })),
      await alice.run(textGeneration({ workflowId: 'wf-b', agentId: 'writer' })),
      await alice.run(textGeneration({ workflowId: 'wf-a', agentId: 'editor' })),
      await alice.run({ kind: 'pipeline', input: { stages: [{ name: 'plot', prompt: 'p', maxTokens: 2 }] } }),
    ];
    const { id } = await alice.start(textGeneration({ ...LONG_RUNNING, workflowId: 'wf-a' }));
    await alice.cancel(id);
    created.push(await alice.waitForEnd(id));
    await other.run(textGeneration({ workflowId: 'wf-a' }));
  });

  const ids = (list: OperationList) => list.items.map((op) => op.id);
  const newestFirst = () => [...created].reverse().map((op) => op.id);

  it("lists only the caller's operations, newest first, in the GET shape", async () => {
    const res = await alice.get('/api/operations');

    expect(res.status).toBe(200);
    expect(ids(res.body)).toEqual(newestFirst());
    expect(res.body.nextCursor).toBeNull();
    expect(res.body.items[0]).toEqual(await alice.operation(created.at(-1)!.id));
  });

  it('pages with limit and cursor without skipping or repeating', async () => {
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const res = await alice.get('/api/operations').query(cursor ? { limit: '2', cursor } : { limit: '2' });
      expect(res.status).toBe(200);
      expect(res.body.items.length).toBeLessThanOrEqual(2);
      seen.push(...ids(res.body));
      cursor = res.body.nextCursor;
      pages++;
    } while (cursor);

    expect(pages).toBe(3);
    expect(seen).toEqual(newestFirst());
  });

  it('filters by status, workflowId and agentId, alone and together', async () => {
    const query = async (q: Record<string, string>) => ids((await alice.get('/api/operations').query(q)).body);
    const expected = (keep: (op: Operation) => boolean) => newestFirst().filter((id) => keep(created.find((op) => op.id === id)!));

    expect(await query({ status: 'cancelled' })).toEqual(expected((op) => op.status === 'cancelled'));
    expect(await query({ status: 'completed' })).toEqual(expected((op) => op.status === 'completed'));
    expect(await query({ status: 'running' })).toEqual([]);
    expect(await query({ workflowId: 'wf-a' })).toEqual(expected((op) => op.workflowId === 'wf-a'));
    expect(await query({ agentId: 'writer' })).toEqual(expected((op) => op.agentId === 'writer'));
    expect(await query({ workflowId: 'wf-a', status: 'completed', agentId: 'editor' })).toEqual([created[2].id]);
    expect(await query({ workflowId: 'nothing-here' })).toEqual([]);
  });

  it.each([
    ['an unknown status', { status: 'done' }],
    ['limit 0', { limit: '0' }],
    ['limit 101', { limit: '101' }],
    ['a limit that is not a number', { limit: 'ten' }],
    ['a cursor it never issued', { cursor: 'not-a-cursor' }],
    ['a malformed workflowId', { workflowId: 'a b' }],
    ['an unknown parameter', { sort: 'asc' }],
  ])('answers 400 to %s', async (_case, query) => {
    const res = await alice.get('/api/operations').query(query);

    expect(res.status).toBe(400);
    expect(res.body).toEqual({ statusCode: 400, error: 'Bad Request', message: expect.any(String), code: expect.any(String) });
  });
});
