import { now } from '../client/clock';
import { HttpPool } from '../client/http-pool';
import { publishAll } from '../client/publisher';
import { SseEvent } from '../client/sse-decoder';
import { SseStream } from '../client/sse-stream';
import { int, ms, table } from '../support/format';
import { BenchProfile } from '../support/profile';
import { startTarget, Target } from '../support/targets';
import { Scenario } from './scenario';

const USER = 'replay-user';
const PUBLISH_SOCKETS = 64;
const TRIAL_TIMEOUT_MS = 60_000;

interface Trial {
  firstMs: number;
  allMs: number;
  received: number;
  outOfOrder: number;
  eventsPerSecond: number;
}

/** One resume from Last-Event-ID 0: how soon the first stored event arrives, and how fast all of them do. */
function resume(target: Target, events: number): Promise<Trial> {
  return new Promise((resolve) => {
    let received = 0;
    let outOfOrder = 0;
    let first = NaN;
    let stream: SseStream | null = null;
    const start = now();
    const done = (at: number) => {
      clearTimeout(timer);
      stream?.close();
      const allMs = at - start;
      resolve({ firstMs: first - start, allMs, received, outOfOrder, eventsPerSecond: received / (allMs / 1000) });
    };
    const timer = setTimeout(() => done(now()), TRIAL_TIMEOUT_MS);
    const listener = {
      onEvent: (_s: SseStream, event: SseEvent, receivedAt: number) => {
        if (event.id === null) return;
        received++;
        if (received === 1) first = receivedAt;
        if (Number(event.id) !== received) outOfOrder++;
        if (received === events) done(receivedAt);
      },
      onEnd: () => done(now()),
    };
    stream = new SseStream(target.port, target.stream(USER, '0'), listener, USER);
    void stream.open();
  });
}

export const replayScenario: Scenario = {
  id: 'replay',
  title: 'Replay',
  budgetMs: (p) => 180_000 + p.replay.trials * TRIAL_TIMEOUT_MS,
  async run(profile: BenchProfile, log) {
    const { events, trials } = profile.replay;
    const target = await startTarget('herald');
    const pool = new HttpPool(target.port, PUBLISH_SOCKETS);
    try {
      const publishStart = now();
      const responses = await publishAll(pool, events, (seq) => target.publish(USER, 'bench.tick', `{"t":${now()},"n":${seq}}`));
      const rejected = responses.filter((r) => r.status !== 201).length;
      if (rejected > 0) throw new Error(`${rejected} of ${events} events were not accepted`);
      log(`${events} events stored in ${((now() - publishStart) / 1000).toFixed(1)} s; resuming ${trials} times`);
      const results: Trial[] = [];
      for (let i = 0; i < trials; i++) results.push(await resume(target, events));
      const sorted = (f: (t: Trial) => number) => results.map(f).sort((a, b) => a - b);
      const median = (values: number[]) => values[Math.floor((values.length - 1) / 2)];
      const first = sorted((t) => t.firstMs);
      const rate = sorted((t) => t.eventsPerSecond);
      const complete = results.every((t) => t.received === events && t.outOfOrder === 0);
      const rows = results.map((t, i) => [
        String(i + 1),
        ms(t.firstMs),
        ms(t.allMs),
        `${int(t.received)} / ${int(events)}`,
        int(t.outOfOrder),
        int(t.eventsPerSecond),
      ]);
      const markdown = [
        `One user has ${int(events)} stored events; a client opens \`GET /api/events/stream\` with \`Last-Event-ID: 0\` ` +
          `${trials} times in a row. Time to first is from opening the TCP connection to reading the first replayed event ` +
          '(JWT check, connection lease, store cursor and first page included); the rate is all events over the whole ' +
          'request. Target: ≥ 50,000 events/s, first event < 50 ms.',
        '',
        table(['trial', 'first event ms', 'all events ms', 'received', 'out of order', 'events/s'], rows),
        '',
        `Median: first event ${ms(median(first))} ms, ${int(median(rate))} events/s.`,
      ].join('\n');
      return {
        id: 'replay',
        title: this.title,
        markdown,
        figures: { trials: results, medianFirstMs: median(first), medianRate: median(rate) },
        summary: [
          {
            scenario: `replay, ${int(events)} events behind`,
            target: '≥ 50,000 events/s, first event < 50 ms',
            herald: `${int(median(rate))}/s, first ${ms(median(first))} ms (median of ${trials})`,
            met: complete && median(rate) >= 50_000 && median(first) < 50,
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
