import { now, sleep } from '../client/clock';
import { HttpPool } from '../client/http-pool';
import { describeFailures } from '../client/open-many';
import { numberField, SseEvent, stringField } from '../client/sse-decoder';
import { SseStream } from '../client/sse-stream';
import { int, ms, pct, table } from '../support/format';
import { Histogram } from '../support/histogram';
import { BenchProfile } from '../support/profile';
import { CpuMeter } from '../support/proc-stats';
import { startTarget, Target } from '../support/targets';
import { Scenario } from './scenario';

const TOKENS_PER_SECOND = 40;
const START_LANES = 50;
const WINDOW_S = 5;

/** What one subscriber saw of its operation. */
class Follower {
  content = 0;
  nextIndex = 0;
  indexErrors = 0;
  completed = false;
  resultTokens = NaN;
  startedAt = 0;
  endedAt = 0;
  /** When the first content event arrived: with startedAt (the 202), the time to first chunk a user sees. */
  firstContentAt = 0;
}

/** Content events received per second since the start, to find the sustained rate. */
class RateBins {
  private readonly bins: number[] = [];
  constructor(private readonly origin: number) {}
  add(at: number): void {
    const i = Math.floor((at - this.origin) / 1000);
    this.bins[i] = (this.bins[i] ?? 0) + 1;
  }
  /** Best average over `seconds` consecutive whole seconds. */
  peak(seconds: number): number {
    const bins = Array.from(this.bins, (b) => b ?? 0);
    let best = 0;
    for (let i = 0; i + seconds <= bins.length; i++) {
      best = Math.max(best, bins.slice(i, i + seconds).reduce((a, b) => a + b, 0) / seconds);
    }
    return best;
  }
}

async function startOne(target: Target, pool: HttpPool, i: number, maxTokens: number, answered: Histogram): Promise<string> {
  const userId = `gen-${i}`;
  const sentAt = now();
  const response = await pool.request({
    method: 'POST',
    path: '/api/operations',
    headers: { Authorization: `Bearer ${target.token!(userId)}`, 'Content-Type': 'application/json' },
    body: JSON.stringify({ kind: 'text-generation', input: { prompt: `Benchmark story number ${i}`, maxTokens } }),
  });
  if (response.status !== 202) throw new Error(`POST /api/operations answered ${response.status}: ${response.body}`);
  answered.record(now() - sentAt);
  return (JSON.parse(response.body) as { id: string }).id;
}

export const generationScenario: Scenario = {
  id: 'generation',
  title: 'Generation end to end',
  budgetMs: (p) => 180_000 + (p.generation.maxTokens / TOKENS_PER_SECOND) * 3_000,
  async run(profile: BenchProfile, log) {
    const { operations, maxTokens } = profile.generation;
    const target = await startTarget('herald', { workerConcurrency: operations });
    const pool = new HttpPool(target.port, START_LANES);
    const latency = new Histogram();
    // The same latency, only for chunks read once every operation is running and followed:
    // the start of 500 operations at once is reported apart from the steady flow.
    const runningLatency = new Histogram();
    // How long a start waits for its 202 while the others start and run: the start's own cost.
    const startAnswered = new Histogram();
    let allStartedAt = Infinity;
    const started = now();
    const bins = new RateBins(started);
    const followers = new Map<SseStream, Follower>();
    const streams: SseStream[] = [];
    const failures: Record<string, number> = {};
    const count = (reason: string) => {
      failures[reason] = (failures[reason] ?? 0) + 1;
    };
    const listener = {
      onEvent: (stream: SseStream, event: SseEvent, receivedAt: number) => {
        const f = followers.get(stream)!;
        if (event.type === 'operation.content') {
          // `ts` is when the chunk was stored, set in the transaction that wrote it.
          const chunkLatency = receivedAt - Date.parse(stringField(event.data, 'ts')!);
          latency.record(chunkLatency);
          if (receivedAt >= allStartedAt) runningLatency.record(chunkLatency);
          bins.add(receivedAt);
          if (f.content === 0) f.firstContentAt = receivedAt;
          f.content++;
          if (numberField(event.data, 'index') !== f.nextIndex) f.indexErrors++;
          f.nextIndex++;
        } else if (event.type === 'operation.completed') {
          f.completed = true;
          f.resultTokens = numberField(event.data, 'tokens');
        }
      },
      onEnd: (stream: SseStream) => {
        followers.get(stream)!.endedAt = now();
      },
    };
    try {
      const cpu = new CpuMeter(target.pids);
      let next = 0;
      // Each operation is followed as soon as it is accepted, as a UI would: the operation view replays anything already stored.
      const lane = async () => {
        while (next < operations) {
          const i = next++;
          try {
            const id = await startOne(target, pool, i, maxTokens, startAnswered);
            const request = {
              path: `/api/events/operations/${id}`,
              headers: { Authorization: `Bearer ${target.token!(`gen-${i}`)}` },
            };
            const stream = new SseStream(target.port, request, listener, id);
            followers.set(stream, Object.assign(new Follower(), { startedAt: now() }));
            streams.push(stream);
            const status = await stream.open();
            if (status !== 200) count(stream.error ?? `HTTP ${status}`);
          } catch (error) {
            count((error as Error).message);
          }
        }
      };
      await Promise.all(Array.from({ length: START_LANES }, lane));
      const allStarted = now();
      allStartedAt = allStarted;
      const startSeconds = (allStarted - started) / 1000;
      log(`${streams.length} operations started and followed in ${startSeconds.toFixed(1)} s`);
      const deadline = allStarted + (maxTokens / TOKENS_PER_SECOND) * 2_000 + 60_000;
      while (streams.some((s) => !s.ended) && now() < deadline) await sleep(100);
      const usage = cpu.read();
      for (const s of streams) s.close();

      const all = [...followers.values()];
      const content = all.reduce((sum, f) => sum + f.content, 0);
      const expected = all.reduce((sum, f) => sum + (Number.isFinite(f.resultTokens) ? f.resultTokens : maxTokens), 0);
      const completed = all.filter((f) => f.completed).length;
      const indexErrors = all.reduce((sum, f) => sum + f.indexErrors, 0);
      const durations = all.filter((f) => f.endedAt > 0).map((f) => (f.endedAt - f.startedAt) / 1000).sort((a, b) => a - b);
      const medianDuration = durations[Math.floor(durations.length / 2)] ?? NaN;
      const ideal = maxTokens / TOKENS_PER_SECOND;
      // Operations start over several seconds and end over several more: the best window is the steady state.
      const windowS = Math.min(WINDOW_S, Math.max(1, Math.floor(ideal)));
      const peak = bins.peak(windowS);
      const offered = operations * TOKENS_PER_SECOND;
      const l = latency.summary();
      const running = runningLatency.summary();
      const firstChunk = new Histogram();
      for (const f of all) if (f.firstContentAt > 0) firstChunk.record(f.firstContentAt - f.startedAt);
      const ttfc = firstChunk.summary();
      const starts = startAnswered.summary();
      const rows = [
        ['operations started / completed', `${int(streams.length)} / ${int(completed)}`],
        ['content events received / produced', `${int(content)} / ${int(expected)}`],
        ['chunk index gaps or repeats', int(indexErrors)],
        ['offered load (operations × 40 tokens/s)', `${int(offered)} events/s`],
        [`**content events delivered per second** (best ${windowS} s window)`, `**${int(peak)}**`],
        ['latency chunk stored (`ts`) → client p50 / p90 / p99 / max', `${ms(l.p50)} / ${ms(l.p90)} / **${ms(l.p99)}** / ${ms(l.max)} ms`],
        [
          'same, only chunks read once every operation was running (p50 / p99)',
          `${ms(running.p50)} / ${ms(running.p99)} ms`,
        ],
        [
          `all ${int(operations)} started and followed in; \`POST /api/operations\` answered p50 / p99`,
          `${startSeconds.toFixed(1)} s; ${ms(starts.p50)} / ${ms(starts.p99)} ms`,
        ],
        [
          'time to first chunk: `202` answered → first content event read (p50 / p99)',
          `${ms(ttfc.p50)} / ${ms(ttfc.p99)} ms`,
        ],
        ['operation duration, median (ideal at 40 tokens/s)', `${medianDuration.toFixed(1)} s (${ideal.toFixed(1)} s)`],
        ['CPU: Herald api + worker / bench client / machine', `${pct(usage.servers)} / ${pct(usage.client)} / ${pct(usage.machine)}`],
        ['start or stream failures', describeFailures(failures)],
      ];
      const markdown = [
        `${int(operations)} users each start one \`text-generation\` (${maxTokens} tokens, simulated at 40 tokens/s, ` +
          `WORKER_CONCURRENCY=${operations}) and follow it on \`GET /api/events/operations/:id\`. Latency is from the ` +
          "envelope's `ts` (stamped in the transaction that stores the chunk) to the client reading it. Target: " +
          '20,000 content events/s delivered, p99 < 100 ms.',
        '',
        table(['', 'Herald (distributed)'], rows),
      ].join('\n');
      const met = peak >= 20_000 && l.p99 < 100 && indexErrors === 0 && completed === operations;
      return {
        id: 'generation',
        title: this.title,
        markdown,
        figures: {
          operations,
          completed,
          content,
          expected,
          indexErrors,
          peak,
          latency: l,
          runningLatency: running,
          timeToFirstChunk: ttfc,
          startSeconds,
          startAnswered: starts,
          medianDuration,
          usage,
          failures,
        },
        summary: [
          {
            scenario: `generation, ${int(operations)} × 40 tokens/s`,
            target: '20,000 content events/s, p99 < 100 ms',
            herald: `${int(peak)}/s, p99 ${ms(l.p99)} ms, ${int(indexErrors)} index errors`,
            met,
            peers: '–',
          },
        ],
      };
    } finally {
      pool.close();
      for (const s of streams) s.close();
      await target.stop();
    }
  },
};
