import { sleep } from '../client/clock';
import { closeAll, describeFailures, droppedCount, openMany } from '../client/open-many';
import { SseStream } from '../client/sse-stream';
import { int, kib, ms, ratio, table } from '../support/format';
import { BenchProfile } from '../support/profile';
import { rssBytes } from '../support/proc-stats';
import { startTarget, TARGET_LABELS, TargetKind } from '../support/targets';
import { Scenario } from './scenario';

const WARMUP_CONNECTIONS = 200;

export interface IdleResult {
  kind: TargetKind;
  connections: number;
  opened: number;
  failures: string;
  dropped: number;
  errors: number;
  openSeconds: number;
  rssBeforeBytes: number;
  rssAfterBytes: number;
  rssPerConnection: number;
}

/** Opens `connections` streams of distinct users, leaves them idle, and charges the server's RSS growth to them. */
async function measure(kind: TargetKind, profile: BenchProfile, log: (line: string) => void): Promise<IdleResult> {
  const target = await startTarget(kind);
  const quiet = { onEvent: () => undefined };
  try {
    // Warm up first, so that lazily loaded code and first-request caches are in the baseline, not in the per-connection figure.
    const warm = Array.from({ length: WARMUP_CONNECTIONS }, (_, i) => new SseStream(target.port, target.stream(`warm-${i}`), quiet, ''));
    await openMany(warm, profile.openConcurrency);
    closeAll(warm);
    await sleep(1500);
    const rssBefore = rssBytes(target.streamPid);

    const n = profile.idle.connections;
    const streams = Array.from({ length: n }, (_, i) => new SseStream(target.port, target.stream(`idle-${i}`), quiet, ''));
    const open = await openMany(streams, profile.openConcurrency);
    log(`${target.label}: ${open.opened}/${n} open in ${(open.durationMs / 1000).toFixed(1)} s; idling`);
    await sleep(profile.idle.idleMs);
    const rssAfter = rssBytes(target.streamPid);
    const dropped = droppedCount(streams);
    closeAll(streams);
    const failed = n - open.opened;
    return {
      kind,
      connections: n,
      opened: open.opened,
      failures: describeFailures(open.failures),
      dropped,
      errors: failed + dropped,
      openSeconds: open.durationMs / 1000,
      rssBeforeBytes: rssBefore,
      rssAfterBytes: rssAfter,
      rssPerConnection: (rssAfter - rssBefore) / Math.max(1, open.opened),
    };
  } finally {
    await target.stop();
  }
}

export const idleScenario: Scenario = {
  id: 'idle',
  title: 'Idle connections',
  budgetMs: (p) => p.targets.length * (120_000 + p.idle.idleMs + p.idle.connections * 10),
  async run(profile, log) {
    const results: IdleResult[] = [];
    for (const kind of profile.targets) results.push(await measure(kind, profile, log));
    const by = (kind: TargetKind) => results.find((r) => r.kind === kind);
    const perConnection = (kind: TargetKind) => by(kind)?.rssPerConnection ?? NaN;
    const herald = perConnection('herald');
    const rows = [
      ['connections open', ...results.map((r) => `${int(r.opened)} / ${int(r.connections)}`)],
      ['errors (failed + dropped)', ...results.map((r) => int(r.errors))],
      ['time to open all', ...results.map((r) => `${r.openSeconds.toFixed(1)} s`)],
      ['opened per second', ...results.map((r) => int(r.opened / r.openSeconds))],
      ['server RSS before → after', ...results.map((r) => `${ms(r.rssBeforeBytes / 2 ** 20)} → ${ms(r.rssAfterBytes / 2 ** 20)} MB`)],
      ['**RSS per connection**', ...results.map((r) => `**${kib(r.rssPerConnection)}**`)],
      ['Herald (distributed) ÷ this', ...results.map((r) => ratio(herald, r.rssPerConnection))],
    ];
    const failureNotes = results
      .filter((r) => r.failures !== 'none')
      .map((r) => `- ${TARGET_LABELS[r.kind]} connection failures: ${r.failures}`);
    const markdown = [
      `${int(profile.idle.connections)} connections of ${int(profile.idle.connections)} users (one each), opened ` +
        `${profile.openConcurrency} handshakes at a time, then ${profile.idle.idleMs / 1000} s idle. RSS is the stream-holding ` +
        'process (Herald: the API process) read from `/proc/<pid>/status` after a 200-connection warm-up and after the idle ' +
        'period; per connection = growth ÷ connections. Target for Herald: 0 errors, ≤ 20 KB per connection.',
      '',
      table(['', ...results.map((r) => TARGET_LABELS[r.kind])], rows),
      ...(failureNotes.length > 0 ? ['', ...failureNotes] : []),
    ].join('\n');
    const peers = `better-sse ${kib(perConnection('better-sse'))}, naive Nest ${kib(perConnection('naive-nest'))}`;
    const row = (r: IdleResult) => ({
      scenario: r.kind === 'herald' ? `idle, ${int(r.connections)} connections` : 'idle, embedded mode',
      target: r.kind === 'herald' ? '0 errors, ≤ 20 KB RSS per connection' : 'reported beside distributed',
      herald: `${int(r.errors)} errors, ${kib(r.rssPerConnection)}`,
      met: r.kind === 'herald' ? r.errors === 0 && r.rssPerConnection <= 20 * 1024 : null,
      peers,
    });
    const summary = results.filter((r) => r.kind === 'herald' || r.kind === 'herald-embedded').map(row);
    return { id: 'idle', title: this.title, markdown, figures: { results }, summary };
  },
};
