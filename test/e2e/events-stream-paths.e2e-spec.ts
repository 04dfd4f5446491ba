import type { IncomingMessage } from 'node:http';
import { StreamRawRoute } from '../../src/events/stream.raw-route';
import { ApiClient, publish, publisher, textGeneration } from './support/api-client';
import { useHerald } from './support/boot-app';
import { watchRawRoute } from './support/raw-route-spy';
import { MODES } from './modes';

// The four SSE views have two ways in: StreamRawRoute answers plain stream
// requests ahead of Express, EventStreamController everything else. Clients
// must not be able to tell them apart. An Origin header sends a request to the
// controller (browsers need its CORS handling), so each request below is made
// both ways and the answers compared: status, the stream's head, and the
// frames it starts with (or the error body).

const isStreamRequest = (request: IncomingMessage): boolean => request.method === 'GET' && request.url?.startsWith('/api/events/') === true;

interface Answer {
  status: number;
  headers: Record<string, string | null>;
  /** Error body, or the frames read: `retry`, then `event id` per frame (connection ids and times left out). */
  body: unknown;
}

const COMPARED_HEADERS = ['content-type', 'cache-control', 'x-accel-buffering', 'retry-after'];

/** Reads a stream until its `stream.ready` and `frames` more frames came (or it ended), then hangs up. */
async function get(url: string, headers: Record<string, string>, frames: number): Promise<Answer> {
  const abort = new AbortController();
  const res = await fetch(url, { headers, signal: abort.signal });
  const head = Object.fromEntries(COMPARED_HEADERS.map((h) => [h, res.headers.get(h)]));
  if (!res.headers.get('content-type')?.startsWith('text/event-stream')) {
    const text = await res.text();
    return { status: res.status, headers: head, body: text ? (JSON.parse(text) as unknown) : undefined };
  }
  const read: string[] = [];
  let text = '';
  const reader = res.body!.getReader();
  const decoder = new TextDecoder();
  const deadline = setTimeout(() => abort.abort(), 5_000);
  try {
    for (;;) {
      const { value, done } = await reader.read();
      if (done) break;
      text += decoder.decode(value, { stream: true });
      let end: number;
      while ((end = text.indexOf('\n\n')) !== -1) {
        read.push(describeFrame(text.slice(0, end)));
        text = text.slice(end + 2);
      }
      const sequenced = read.filter((f) => !f.includes('stream.ready') && !f.startsWith(':'));
      if (read.some((f) => f.includes('stream.ready')) && sequenced.length >= frames) break;
    }
  } catch {
    // Aborted at the deadline: compare what came.
  } finally {
    clearTimeout(deadline);
    abort.abort();
  }
  // A read may bring more frames than asked for, split differently each time: compare the ones asked for.
  const ready = read.findIndex((f) => f.includes('stream.ready'));
  const after = read.slice(ready + 1).filter((f) => !f.startsWith(':'));
  return { status: res.status, headers: head, body: [...read.slice(0, ready + 1), ...after.slice(0, frames)] };
}

function describeFrame(frame: string): string {
  const fields = frame.split('\n');
  const event = fields.find((f) => f.startsWith('event: '))?.slice(7);
  const id = fields.find((f) => f.startsWith('id: '))?.slice(4);
  const data = fields.find((f) => f.startsWith('data: '))?.slice(6) ?? '{}';
  if (event === 'stream.ready') return `${fields.filter((f) => f.startsWith('retry:')).join('')} stream.ready`;
  if (event === 'stream.gap') return `stream.gap ${JSON.stringify(JSON.parse(data))}`;
  return `${event ?? fields[0]} ${id ?? ''}`.trim();
}

describe.each(MODES)('the SSE views: the raw route answers as the controller does (%s mode)', (mode) => {
  const herald = useHerald(mode);
  const rawRouteTook = watchRawRoute(herald, StreamRawRoute, isStreamRequest);
  let alice: ApiClient;
  let finished: { id: string; lastEventId: string };

  beforeAll(async () => {
    alice = new ApiClient(herald());
    const service = publisher(herald());
    for (let n = 1; n <= 3; n++) {
      await publish(service, { userId: alice.userId, type: 'doc.saved', data: { n }, workflowId: 'wf-1', agentId: 'ag:1' });
    }
    const { id } = await alice.start(textGeneration({ maxTokens: 3 }));
    await alice.waitForEnd(id);
    finished = { id, lastEventId: await alice.lastEventId() };
  });

  const auth = () => ({ Authorization: `Bearer ${alice.token}` });

  /** `headers` go with alice's Authorization header unless `anonymous`. */
  const cases: [
    string,
    () => { path: string; headers?: Record<string, string>; anonymous?: boolean; frames?: number; raw?: boolean },
  ][] = [
    ['the user view, live', () => ({ path: '/api/events/stream' })],
    ['the user view from Last-Event-ID 0', () => ({ path: '/api/events/stream', headers: { 'Last-Event-ID': '0' }, frames: 3 })],
    ['the user view from ?lastEventId=1', () => ({ path: '/api/events/stream?lastEventId=1', frames: 2 })],
    ['the header winning over the query', () => ({ path: '/api/events/stream?lastEventId=1', headers: { 'Last-Event-ID': '2' }, frames: 1 })],
    ['a filter by type', () => ({ path: '/api/events/stream?types=doc.saved', headers: { 'Last-Event-ID': '0' }, frames: 3 })],
    ['heartbeat=event', () => ({ path: '/api/events/stream?heartbeat=event' })],
    ['the token in ?access_token=', () => ({ path: `/api/events/stream?access_token=${alice.token}`, anonymous: true })],
    ['a Last-Event-ID beyond the store', () => ({ path: '/api/events/stream', headers: { 'Last-Event-ID': '999999' }, frames: 1 })],
    ['a garbage Last-Event-ID', () => ({ path: '/api/events/stream', headers: { 'Last-Event-ID': '12abc' } })],
    ['a negative lastEventId', () => ({ path: '/api/events/stream?lastEventId=-1' })],
    ['an unknown query parameter', () => ({ path: '/api/events/stream?since=1' })],
    ['an unknown type', () => ({ path: '/api/events/stream?types=NOPE' })],
    ['a repeated types parameter', () => ({ path: '/api/events/stream?types=doc.saved&types=doc.other' })],
    ['a bad heartbeat', () => ({ path: '/api/events/stream?heartbeat=sometimes' })],
    ['an operation id that is not a UUID', () => ({ path: '/api/events/operations/not-a-uuid' })],
    ['an unknown operation', () => ({ path: '/api/events/operations/6f1c3b7e-2a51-4d7e-9a1e-3c1f0e2b4d5a' })],
    ['a finished operation from the start', () => ({ path: `/api/events/operations/${finished.id}`, frames: 100 })],
    [
      'a finished operation resumed at its end',
      () => ({ path: `/api/events/operations/${finished.id}`, headers: { 'Last-Event-ID': finished.lastEventId } }),
    ],
    ['a workflow view', () => ({ path: '/api/events/workflows/wf-1', headers: { 'Last-Event-ID': '0' }, frames: 3 })],
    ['an agent view', () => ({ path: '/api/events/agents/ag:1', headers: { 'Last-Event-ID': '0' }, frames: 3 })],
    ['a malformed workflowId', () => ({ path: `/api/events/workflows/${'w'.repeat(200)}` })],
    // Not the plain case: the controller answers both.
    ['a broken token', () => ({ path: '/api/events/stream', headers: { Authorization: 'Bearer not.a.jwt' }, raw: false })],
    ['no token', () => ({ path: '/api/events/stream', anonymous: true, raw: false })],
    ['a trailing slash', () => ({ path: '/api/events/stream/', raw: false })],
    ['an escaped id', () => ({ path: '/api/events/workflows/wf%2D1', headers: { 'Last-Event-ID': '0' }, frames: 3, raw: false })],
    ['a path below a view', () => ({ path: '/api/events/agents/ag:1/more', raw: false })],
  ];

  it.each(cases)('%s', async (_name, build) => {
    const { path, headers: extra = {}, anonymous = false, frames = 0, raw = true } = build();
    const headers = anonymous ? extra : { ...auth(), ...extra };
    const url = `${herald().url}${path}`;
    const plain = await get(url, headers, frames);
    const viaController = await get(url, { ...headers, Origin: 'http://elsewhere.test' }, frames);
    expect(rawRouteTook()).toEqual([raw, false]);
    expect(plain).toEqual(viaController);
    if (raw) expect(plain.status).not.toBe(500);
  });

  it('answers the plain case with the documented stream', async () => {
    const answer = await get(`${herald().url}/api/events/stream?types=doc.saved`, { ...auth(), 'Last-Event-ID': '1' }, 2);
    expect(rawRouteTook()).toEqual([true]);
    expect(answer).toEqual({
      status: 200,
      headers: expect.objectContaining({ 'content-type': 'text/event-stream; charset=utf-8', 'cache-control': 'no-cache, no-transform' }) as unknown,
      body: [expect.stringMatching(/^retry: \d+ stream\.ready$/), 'doc.saved 2', 'doc.saved 3'],
    });
  });
});
