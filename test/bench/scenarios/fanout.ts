import { now, sleep } from '../client/clock';
import { HttpPool } from '../client/http-pool';
import { closeAll, describeFailures, droppedCount, openMany } from '../client/open-many';
import { publishAtRate, RateRun } from '../client/publisher';
import { waitUntilResponsive } from '../client/responsive';
import { numberField } from '../client/sse-decoder';
import { SseStream } from '../client/sse-stream';
import { int, ms, pct, ratio, table, yesNo } from '../support/format';
import { Histogram, LatencySummary } from '../support/histogram';
import { BenchProfile } from '../support/profile';
import { CpuMeter, CpuReading, waitForQuiet } from '../support/proc-stats';
import { startTarget, TARGET_LABELS, TargetKind } from '../support/targets';
import { Scenario } from './scenario';

const EVENT_TYPE = 'bench.tick';
const P99_TARGET_MS = 100;
/** A level counts as carried when at least this share of its rate was sent (the rest is the publisher's own jitter). */
const RATE_TOLERANCE = 0.95;
const DRAIN_MS = 3_000;
const SETTLE_MAX_MS = 60_000;

interface Level {
  rate: number;
  run: RateRun;
  delivered: number;
  latency: LatencySummary;
  cpu: CpuReading;
  /** Sent at the rate, nothing failed, everything delivered: the server carried it, whatever the latency. */
  carried: boolean;
  /** Carried with p99 under the target as well. */
  keptUp: boolean;
}

export interface FanoutResult {
  kind: TargetKind;
  connections: number;
  openFailures: string;
  levels: Level[];
  /** How long after the last stream's response head the server was idle and answering publishes at once. */
  settleSeconds: number;
  /** Highest rate kept up, 0 when none was. */
  sustained: number;
  /** Highest rate carried in full at any latency, 0 when none was. */
  carriedRate: number;
  dropped: number;
  /** Herald: events of the run found in the database, against those acknowledged with 201. */
  stored?: { found: number; acknowledged: number };
}

class LevelCounter {
  delivered = 0;
  readonly latency = new Histogram();
}

function carried(run: RateRun, delivered: number): boolean {
  const failures = Object.values(run.failures).reduce((a, b) => a + b, 0);
  return run.achieved >= run.target * RATE_TOLERANCE && failures === 0 && delivered === run.accepted;
}

async function measure(kind: TargetKind, profile: BenchProfile, log: (line: string) => void): Promise<FanoutResult> {
  const target = await startTarget(kind);
  const counters: LevelCounter[] = [];
  const listener = {
    onEvent: (_s: SseStream, event: { type: string; data: string }, receivedAt: number) => {
      if (event.type !== EVENT_TYPE) return;
      // The data line carries {"t": send time, "l": level}; Herald wraps it in its envelope, where "t" and "l" are still unique keys.
      const counter = counters[numberField(event.data, 'l')];
      counter.delivered++;
      counter.latency.record(receivedAt - numberField(event.data, 't'));
    },
  };
  const pool = new HttpPool(target.port, profile.fanout.publishSockets);
  try {
    const n = profile.fanout.connections;
    const users = Array.from({ length: n }, (_, i) => `fan-${i}`);
    const streams = users.map((u) => new SseStream(target.port, target.stream(u), listener, u));
    const open = await openMany(streams, profile.openConcurrency);
    const settleMs = (await waitForQuiet(target.pids, SETTLE_MAX_MS)) + (await waitUntilResponsive(target, pool, SETTLE_MAX_MS));
    log(`${target.label}: ${open.opened}/${n} streams open; server settled ${(settleMs / 1000).toFixed(1)} s later`);

    const levels: Level[] = [];
    for (const rate of profile.fanout.rates) {
      const level = counters.length;
      const counter = new LevelCounter();
      counters.push(counter);
      const cpu = new CpuMeter(target.pids);
      const run = await publishAtRate(pool, {
        rate,
        durationMs: profile.fanout.levelMs,
        expectStatus: 201,
        build: (seq) => target.publish(users[seq % n], EVENT_TYPE, `{"t":${now()},"l":${level},"n":${seq}}`),
      });
      const usage = cpu.read();
      const drainUntil = now() + DRAIN_MS;
      while (counter.delivered < run.accepted && now() < drainUntil) await sleep(20);
      const latency = counter.latency.summary();
      const full = carried(run, counter.delivered);
      const ok = full && latency.p99 < P99_TARGET_MS;
      levels.push({ rate, run, delivered: counter.delivered, latency, cpu: usage, carried: full, keptUp: ok });
      const cpuPerEvent = ms((usage.serverSeconds * 1000) / Math.max(1, run.accepted));
      log(
        `${target.label} @ ${rate}/s: sent ${int(run.achieved)}/s, delivered ${counter.delivered}/${run.accepted}, ` +
          `p99 ${ms(latency.p99)} ms (POST answered p99 ${ms(run.responseTimes.quantile(0.99))} ms), ` +
          `server CPU ${pct(usage.servers)} (${cpuPerEvent} ms/event), machine ${pct(usage.machine)} → ` +
          (ok ? 'kept up' : full ? 'carried, p99 too high' : 'fell behind'),
      );
      // The ramp goes on while the server carries the load, even late, so that its throughput ceiling shows too.
      if (!full) break;
      // A level that fell behind leaves work queued; the next one starts on a settled server.
      await waitForQuiet(target.pids, SETTLE_MAX_MS);
      await waitUntilResponsive(target, pool, SETTLE_MAX_MS);
    }
    const dropped = droppedCount(streams);
    closeAll(streams);
    const acknowledged = levels.reduce((sum, l) => sum + l.run.accepted, 0);
    const stored = target.storedCount ? { found: await target.storedCount(EVENT_TYPE), acknowledged } : undefined;
    return {
      kind,
      connections: n,
      openFailures: describeFailures(open.failures),
      levels,
      settleSeconds: settleMs / 1000,
      sustained: Math.max(0, ...levels.filter((l) => l.keptUp).map((l) => l.rate)),
      carriedRate: Math.max(0, ...levels.filter((l) => l.carried).map((l) => l.rate)),
      dropped,
      stored,
    };
  } finally {
    pool.close();
    await target.stop();
  }
}

function levelTable(result: FanoutResult): string {
  const rows = result.levels.map((l) => [
    int(l.rate),
    int(l.run.achieved),
    `${int(l.delivered)} / ${int(l.run.accepted)}`,
    ms(l.latency.p50),
    ms(l.latency.p90),
    ms(l.latency.p99),
    ms(l.latency.max),
    pct(l.cpu.servers),
    ms((l.cpu.serverSeconds * 1000) / Math.max(1, l.run.accepted)),
    pct(l.cpu.client),
    pct(l.cpu.machine),
    describeFailures(l.run.failures),
    yesNo(l.carried),
    yesNo(l.keptUp),
  ]);
  const header = ['target /s', 'sent /s', 'delivered / acknowledged', 'p50 ms', 'p90 ms', 'p99 ms', 'max ms'];
  header.push('server CPU', 'server CPU ms per event', 'client CPU', 'machine', 'publish errors', 'carried', 'kept up');
  return table(header, rows);
}

export const fanoutScenario: Scenario = {
  id: 'fanout',
  title: 'Per-user fan-out',
  budgetMs: (p) => p.targets.length * (180_000 + p.fanout.rates.length * (p.fanout.levelMs + 20_000)),
  async run(profile, log) {
    const results: FanoutResult[] = [];
    for (const kind of profile.targets) results.push(await measure(kind, profile, log));
    const sustained = (kind: TargetKind) => results.find((r) => r.kind === kind)?.sustained ?? NaN;
    const best = (r: FanoutResult) => r.levels.find((l) => l.rate === r.sustained);
    const ceiling = (r: FanoutResult) => r.levels.find((l) => l.rate === r.carriedRate);
    const comparison = table(
      ['', ...results.map((r) => TARGET_LABELS[r.kind])],
      [
        ['**highest rate kept up (events/s)**', ...results.map((r) => `**${int(r.sustained)}**`)],
        ['p99 at that rate', ...results.map((r) => `${ms(best(r)?.latency.p99 ?? NaN)} ms`)],
        ['Herald (distributed) ÷ this', ...results.map((r) => ratio(sustained('herald'), r.sustained))],
        ['highest rate carried in full, any latency (events/s)', ...results.map((r) => int(r.carriedRate))],
        ['p99 at that rate', ...results.map((r) => `${ms(ceiling(r)?.latency.p99 ?? NaN)} ms`)],
        [
          'Herald (distributed) ÷ this',
          ...results.map((r) => ratio(results.find((x) => x.kind === 'herald')?.carriedRate ?? NaN, r.carriedRate)),
        ],
        ['streams dropped during the run', ...results.map((r) => int(r.dropped))],
        ['stream open failures', ...results.map((r) => r.openFailures)],
        ['server settled after the last stream opened', ...results.map((r) => `${r.settleSeconds.toFixed(1)} s`)],
        [
          'events stored (database) / acknowledged',
          ...results.map((r) => {
            if (r.stored) return `${int(r.stored.found)} / ${int(r.stored.acknowledged)}`;
            return r.kind === 'herald-embedded' ? '201 = committed' : 'not stored';
          }),
        ],
      ],
    );
    const markdown = [
      `${int(profile.fanout.connections)} streams of ${int(profile.fanout.connections)} users. A publisher on ` +
        `${profile.fanout.publishSockets} keep-alive connections sends \`POST\` events round-robin over the users at each ` +
        `rate for ${profile.fanout.levelMs / 1000} s (open loop: an event is due at n/rate, sent when a connection is free). ` +
        'Latency is from the moment the publisher wrote the request to the moment the client read the event, both on ' +
        `this machine's clock. A rate is *carried* when ≥ ${RATE_TOLERANCE * 100} % of it was sent, nothing failed and every ` +
        `acknowledged event arrived (within ${DRAIN_MS / 1000} s of the end); it is *kept up* when, in addition, p99 < ` +
        `${P99_TARGET_MS} ms. The ramp goes on until a rate is not carried. CPU is percent ` +
        'of one core (server processes summed; client = this bench process, publisher included); machine is of all cores.',
      '',
      comparison,
      '',
      ...results.flatMap((r) => [`**${TARGET_LABELS[r.kind]}**`, '', levelTable(r), '']),
    ].join('\n');
    const carriedBy = (kind: TargetKind) => results.find((r) => r.kind === kind)?.carriedRate ?? NaN;
    const peers =
      `kept up: better-sse ${int(sustained('better-sse'))}/s, naive Nest ${int(sustained('naive-nest'))}/s; ` +
      `carried: better-sse ${int(carriedBy('better-sse'))}/s, naive Nest ${int(carriedBy('naive-nest'))}/s`;
    const row = (r: FanoutResult) => {
      const stored = r.stored ? r.stored.found === r.stored.acknowledged : null;
      const figure =
        `kept up ${int(r.sustained)}/s` +
        (r.sustained > 0 ? ` (p99 ${ms(best(r)!.latency.p99)} ms)` : '') +
        `; carried ${int(r.carriedRate)}/s (p99 ${ms(ceiling(r)?.latency.p99 ?? NaN)} ms)`;
      return r.kind === 'herald'
        ? {
            scenario: `fan-out, ${int(r.connections)} users`,
            target: '≥ 10,000 events/s with p99 < 100 ms, every event stored',
            herald: `${figure}; ${stored ? 'all stored' : '**not all stored**'}`,
            met: r.sustained >= 10_000 && stored === true,
            peers,
          }
        : { scenario: 'fan-out, embedded mode', target: 'reported beside distributed', herald: figure, met: null, peers };
    };
    const summary = results.filter((r) => r.kind === 'herald' || r.kind === 'herald-embedded').map(row);
    return { id: 'fanout', title: this.title, markdown, figures: { results }, summary };
  },
};
