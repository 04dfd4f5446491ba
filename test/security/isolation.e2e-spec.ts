import { randomInt, randomUUID } from 'node:crypto';
import { Cluster, startCluster, withProcessOutput } from '../distributed/support/cluster';
import { HeraldApi } from '../distributed/support/herald-api';
import { Rng } from '../distributed/support/random';
import { SseSession } from '../distributed/support/sse-session';
import { sleep } from '../distributed/support/time';
import { eventually } from '../faults/support/eventually';
import { asStored, StoredEnvelope, storedEnvelopesByUser } from './support/stored-events';

// Isolation as a property: random users run random operations and receive
// random custom events, tagged from workflow and agent ids that every user
// shares, while each watches every view on both API processes. Whatever the
// seed, each connection receives exactly its own user's stored events for its
// view — nothing of anyone else's — and every id of another user's operation
// answers exactly as an id that does not exist (404: existence not revealed).

const SEED = process.env.HERALD_TEST_SEED ? Number(process.env.HERALD_TEST_SEED) : randomInt(2 ** 31);
const USERS = 4;
const WORKFLOWS = ['wf-shared-1', 'wf-shared-2'];
const AGENTS = ['agent-shared-1', 'agent-shared-2'];
const TERMINAL = ['completed', 'failed', 'cancelled'];

interface Watcher {
  userId: string;
  view: string;
  matches: (e: StoredEnvelope) => boolean;
  session: SseSession;
}

describe('user isolation across two API processes', () => {
  let cluster: Cluster;

  beforeAll(async () => {
    cluster = await startCluster({ apis: 2, workers: 1, env: { RATE_LIMIT_PER_MINUTE: '100000000', SIM_TOKENS_PER_SECOND: '100' } });
  }, 90_000);

  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);

  it('no event of one user reaches another, and foreign ids answer like unknown ones', () =>
    withProcessOutput(cluster, async () => {
      process.stdout.write(`isolation: seed ${SEED} (replay with HERALD_TEST_SEED=${SEED})\n`);
      const rng = new Rng(SEED);
      const urls = cluster.apis.map((p) => p.url);
      const users = Array.from({ length: USERS }, (_, i) => `iso-user-${i}-${rng.int(0, 9999)}`);
      const bearer = (userId: string) => ({ Authorization: `Bearer ${cluster.token(userId)}` });
      const watchers: Watcher[] = [];
      const watch = (userId: string, view: string, path: string, matches: Watcher['matches'], api: number) => {
        const session = new SseSession(`${urls[api]}${path}`, bearer(userId));
        watchers.push({ userId, view: `${view} on api#${api + 1}`, matches, session });
      };

      // Every user watches every view, on both processes, from the start.
      for (const userId of users) {
        for (const api of [0, 1]) {
          watch(userId, 'user', '/api/events/stream?lastEventId=0', () => true, api);
          for (const wf of WORKFLOWS) {
            watch(userId, `workflow ${wf}`, `/api/events/workflows/${wf}?lastEventId=0`, (e) => e.workflowId === wf, api);
          }
          for (const ag of AGENTS) {
            watch(userId, `agent ${ag}`, `/api/events/agents/${ag}?lastEventId=0`, (e) => e.agentId === ag, api);
          }
        }
      }
      await eventually(() => watchers.every((w) => w.session.events.some((e) => e.type === 'stream.ready')), 'every stream to open');

      // Random work for every user at once: operations with shared tags, and custom events published for them.
      const publisher = cluster.token('iso-publisher', { scopes: ['events:publish'] });
      const operations = new Map<string, string[]>(users.map((u) => [u, []]));
      await Promise.all(
        users.map(async (userId, u) => {
          const own = rng.fork(u);
          const steps = own.int(4, 8);
          for (let n = 0; n < steps; n++) {
            const workflowId = own.pick([undefined, ...WORKFLOWS]);
            const agentId = own.pick([undefined, ...AGENTS]);
            const api = own.int(0, 1);
            if (own.chance(0.4)) {
              const op = await new HeraldApi(urls[api], cluster.token(userId)).startOperation({
                kind: 'text-generation',
                input: { prompt: `isolation ${userId} ${n}`, maxTokens: own.int(3, 12) },
                ...(workflowId ? { workflowId } : {}),
                ...(agentId ? { agentId } : {}),
              });
              operations.get(userId)!.push(op.id);
              watch(userId, `operation ${op.id}`, `/api/events/operations/${op.id}`, (e) => e.operationId === op.id, own.int(0, 1));
            } else {
              await new HeraldApi(urls[api], publisher).publish({
                userId,
                type: 'iso.note',
                data: { owner: userId, n },
                ...(workflowId ? { workflowId } : {}),
                ...(agentId ? { agentId } : {}),
              });
            }
          }
        }),
      );
      for (const [userId, ids] of operations) {
        const api = new HeraldApi(urls[0], cluster.token(userId));
        for (const id of ids) {
          await eventually(async () => TERMINAL.includes((await api.getOperation(id)).status), `operation ${id} to end`);
        }
      }

      const stored = await storedEnvelopesByUser(cluster.db.url);
      const expectedOf = (w: Watcher) => (stored.get(w.userId) ?? []).filter(w.matches);
      const received = (w: Watcher) =>
        w.session.events.filter((e) => e.id !== null).map((e) => asStored(JSON.parse(e.data)));
      await eventually(
        () => watchers.every((w) => received(w).length >= expectedOf(w).length),
        'every connection to catch up',
      );
      // Anything delivered wrongly would arrive late as well: give it the chance.
      await sleep(500);
      for (const w of watchers) w.session.close();

      const wrong = watchers
        .filter((w) => JSON.stringify(received(w)) !== JSON.stringify(expectedOf(w)))
        .map((w) => `${w.userId} ${w.view}: received ${received(w).map((e) => `${e.id}/${e.type}`).join(' ')}`);
      expect(wrong).toEqual([]);
      expect(users.every((u) => (stored.get(u) ?? []).length > 0)).toBe(true);

      // Every other user's operation id answers exactly as an id that exists nowhere.
      const probe = async (api: number, userId: string, id: string) => {
        const get = (path: string) => fetch(`${urls[api]}${path}`, { headers: bearer(userId) });
        const answers = [
          await get(`/api/operations/${id}`),
          await fetch(`${urls[api]}/api/operations/${id}/cancel`, { method: 'POST', headers: bearer(userId) }),
          await get(`/api/events/operations/${id}`),
          await get(`/api/events?operationId=${id}`),
        ];
        return Promise.all(answers.map(async (res) => `${res.status} ${await res.text()}`));
      };
      const leaks: string[] = [];
      for (const userId of users) {
        for (const api of [0, 1]) {
          const unknown = await probe(api, userId, randomUUID());
          expect(unknown.slice(0, 3).every((answer) => answer.startsWith('404 '))).toBe(true);
          for (const [owner, ids] of operations) {
            if (owner === userId) continue;
            for (const id of ids) {
              const answers = await probe(api, userId, id);
              if (JSON.stringify(answers) !== JSON.stringify(unknown)) leaks.push(`${userId} → ${owner}'s ${id}: ${answers.join(' | ')}`);
            }
          }
        }
        // The list and the polling fallback hold the user's own operations and events only.
        const listed = await fetch(`${urls[1]}/api/operations?limit=100`, { headers: bearer(userId) });
        const list = (await listed.json()) as { items: { id: string }[] };
        expect(list.items.map((o) => o.id).sort()).toEqual([...operations.get(userId)!].sort());
        const polled = (await (await fetch(`${urls[0]}/api/events?after=0&limit=1000`, { headers: bearer(userId) })).json()) as {
          events: (StoredEnvelope & Record<string, unknown>)[];
        };
        expect(polled.events.map(asStored)).toEqual(stored.get(userId));
      }
      expect(leaks).toEqual([]);
      expect([...operations.values()].flat().length).toBeGreaterThan(0);
    }),
  90_000);
});
