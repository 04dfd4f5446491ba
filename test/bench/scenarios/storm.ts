import { now, sleep } from '../client/clock';
import { HttpPool, HttpResponse } from '../client/http-pool';
import { closeAll, describeFailures, openMany } from '../client/open-many';
import { publishAll, publishAtRate } from '../client/publisher';
import { waitUntilResponsive } from '../client/responsive';
import { SseEvent } from '../client/sse-decoder';
import { SseStream } from '../client/sse-stream';
import { int, ms, table } from '../support/format';
import { Histogram } from '../support/histogram';
import { BenchProfile } from '../support/profile';
import { waitForQuiet } from '../support/proc-stats';
import { startTarget } from '../support/targets';
import { Scenario } from './scenario';

const PUBLISH_SOCKETS = 64;
const RESUME_TARGET_MS = 5_000;
const WAIT_MS = 30_000;
const RETRY_MS = 1_000;

/** One user's sequence as the client saw it, across its old and new connection. */
class UserLog {
  last = 0;
  gaps = 0;
  repeats = 0;
  /** Highest id published to this user (from the 201 answers). */
  published = 0;
  /** Highest id published while the user was away: resumed once it has arrived. */
  missed = 0;
  resumedAt = 0;
}

async function waitFor(condition: () => boolean, timeoutMs: number): Promise<boolean> {
  const deadline = now() + timeoutMs;
  while (!condition()) {
    if (now() > deadline) return false;
    await sleep(20);
  }
  return true;
}

export const stormScenario: Scenario = {
  id: 'storm',
  title: 'Reconnect storm',
  budgetMs: (p) => 240_000 + p.storm.clients * 20,
  async run(profile: BenchProfile, log) {
    const n = profile.storm.clients;
    const users = Array.from({ length: n }, (_, i) => `storm-${i}`);
    const logs = new Map(users.map((u) => [u, new UserLog()]));
    const target = await startTarget('herald');
    const pool = new HttpPool(target.port, PUBLISH_SOCKETS);
    let resuming = false;
    const listener = {
      onEvent: (stream: SseStream, event: SseEvent, receivedAt: number) => {
        if (event.id === null) return;
        const u = logs.get(stream.key)!;
        const id = Number(event.id);
        if (id <= u.last) u.repeats++;
        else if (id > u.last + 1) u.gaps++;
        u.last = Math.max(u.last, id);
        if (resuming && u.resumedAt === 0 && u.last >= u.missed) u.resumedAt = receivedAt;
      },
    };
    const record = (userId: string, response: HttpResponse) => {
      if (response.status !== 201) return;
      const u = logs.get(userId)!;
      u.published = Math.max(u.published, Number((JSON.parse(response.body) as { id: string }).id));
    };
    const publishRound = async () => {
      const responses = await publishAll(pool, n, (i) => target.publish(users[i], 'bench.tick', `{"t":${now()},"n":${i}}`));
      responses.forEach((r, i) => record(users[i], r));
    };
    const everyone = [...logs.values()];
    try {
      const first = users.map((u) => new SseStream(target.port, target.stream(u), listener, u));
      const open = await openMany(first, profile.openConcurrency);
      await waitForQuiet(target.pids, 60_000);
      await waitUntilResponsive(target, pool, 60_000);
      await publishRound();
      await waitFor(() => everyone.every((u) => u.last >= u.published), WAIT_MS);
      log(`${open.opened}/${n} streams open and caught up; dropping them all`);

      // The storm: every connection drops at once, events keep arriving, and everyone comes back at once.
      closeAll(first);
      await sleep(200);
      await publishRound();
      for (const u of everyone) u.missed = u.published;
      resuming = true;
      const stormAt = now();
      const second: SseStream[] = [];
      const failures: Record<string, number> = {};
      // Like EventSource (and Herald's SDK) a client whose reconnect fails tries again after a
      // second or so, resuming from whatever it has received.
      const reconnect = async (user: string): Promise<void> => {
        for (;;) {
          const stream = new SseStream(target.port, target.stream(user, String(logs.get(user)!.last)), listener, user);
          second.push(stream);
          const status = await stream.open(WAIT_MS);
          if (status === 200 || now() - stormAt > WAIT_MS) return;
          const reason = stream.error ?? `HTTP ${status}`;
          failures[reason] = (failures[reason] ?? 0) + 1;
          await sleep(RETRY_MS * (1 + Math.random()));
        }
      };
      const live = publishAtRate(pool, {
        rate: profile.storm.livePerSecond,
        durationMs: profile.storm.liveMs,
        expectStatus: 201,
        build: (seq) => target.publish(users[seq % n], 'bench.tick', `{"t":${now()},"n":${seq}}`),
        onResponse: (seq, response) => record(users[seq % n], response),
      });
      await Promise.all(users.map(reconnect));
      const handshakesMs = now() - stormAt;
      const resumedAll = await waitFor(() => everyone.every((u) => u.resumedAt > 0), WAIT_MS);
      const liveRun = await live;
      const caughtUp = await waitFor(() => everyone.every((u) => u.last >= u.published), WAIT_MS);
      closeAll(second);
      if (!caughtUp) log(`not every client caught up; server output:\n${target.output().split('\n').slice(-30).join('\n')}`);

      const resumeTimes = new Histogram();
      for (const u of everyone) if (u.resumedAt > 0) resumeTimes.record(u.resumedAt - stormAt);
      const r = resumeTimes.summary();
      const gaps = everyone.reduce((s, u) => s + u.gaps, 0);
      const repeats = everyone.reduce((s, u) => s + u.repeats, 0);
      const allResumedMs = resumedAll ? r.max : NaN;
      const rows = [
        ['clients reconnecting at once', int(n)],
        ['failed reconnect attempts (retried after 1–2 s)', describeFailures(failures)],
        ['every client reconnected (200 + head) after', `${ms(handshakesMs)} ms`],
        ['resumed: missed event received, p50 / p90 / p99', `${ms(r.p50)} / ${ms(r.p90)} / ${ms(r.p99)} ms`],
        [
          '**all clients resumed after**',
          resumedAll ? `**${ms(allResumedMs)} ms**` : `**not within ${WAIT_MS / 1000} s** (${int(r.count)} of ${int(n)})`,
        ],
        ['gaps / repeated ids (across old and new connection)', `${int(gaps)} / ${int(repeats)}`],
        [
          `live events during the storm (${profile.storm.livePerSecond}/s)`,
          `${int(liveRun.accepted)} accepted, ${describeFailures(liveRun.failures)}`,
        ],
        ['every event published reached its user', caughtUp ? 'yes' : '**no**'],
      ];
      const markdown = [
        `${int(n)} users each hold one stream and have received one event. All streams drop at once, one more event is ` +
          'published to every user while they are away, then all reconnect in the same instant with their `Last-Event-ID` ' +
          `(no handshake limit) while live events keep arriving at ${profile.storm.livePerSecond}/s. A client has resumed ` +
          'when the event it missed has arrived; every id is checked to follow the previous one across both connections. ' +
          `Target: all resumed gap-free within ${RESUME_TARGET_MS / 1000} s.`,
        '',
        table(['', 'Herald (distributed)'], rows),
      ].join('\n');
      const met = resumedAll && allResumedMs <= RESUME_TARGET_MS && gaps === 0 && repeats === 0 && caughtUp;
      return {
        id: 'storm',
        title: this.title,
        markdown,
        figures: { clients: n, failures, handshakesMs, resume: r, gaps, repeats, caughtUp },
        summary: [
          {
            scenario: `reconnect storm, ${int(n)} clients`,
            target: 'all resumed gap-free within 5 s',
            herald: `${resumedAll ? `${ms(allResumedMs)} ms` : 'not all'}, ${int(gaps)} gaps, ${int(repeats)} repeats`,
            met,
            peers: '–',
          },
        ],
      };
    } finally {
      pool.close();
      await target.stop();
    }
  },
};
