import { execFileSync } from 'node:child_process';
import { now } from '../client/clock';
import { HttpPool } from '../client/http-pool';
import { int, ms, pct, table } from '../support/format';
import { Histogram } from '../support/histogram';
import { BenchProfile } from '../support/profile';
import { CpuMeter, cpuSeconds } from '../support/proc-stats';
import { startTarget, Target } from '../support/targets';
import { Scenario } from './scenario';

const LANES = 50;

/**
 * CPU seconds of every PostgreSQL process, by pid. The server is the machine's
 * shared one, which nothing else uses while the bench runs; backends that start
 * during the measure count from zero.
 */
function postgresCpu(): Map<number, number> {
  let pids: number[] = [];
  try {
    pids = execFileSync('pgrep', ['-x', 'postgres'], { encoding: 'utf8' }).trim().split('\n').map(Number);
  } catch {
    // pgrep exits 1 when nothing matches: no local PostgreSQL process to read.
  }
  return new Map(pids.map((pid) => [pid, cpuSeconds(pid)]));
}

function postgresSecondsSince(before: Map<number, number>): number {
  let seconds = 0;
  for (const [pid, cpu] of postgresCpu()) if (Number.isFinite(cpu)) seconds += cpu - (before.get(pid) ?? 0);
  return seconds;
}

/** `count` users each start one one-token operation, `LANES` requests in flight; resolves with each POST's answer time. */
async function startMany(target: Target, pool: HttpPool, first: number, count: number): Promise<Histogram> {
  const answered = new Histogram();
  let next = 0;
  const lane = async () => {
    while (next < count) {
      const user = `start-${first + next++}`;
      const sentAt = now();
      const response = await pool.request({
        method: 'POST',
        path: '/api/operations',
        headers: { Authorization: `Bearer ${target.token!(user)}`, 'Content-Type': 'application/json' },
        body: JSON.stringify({ kind: 'text-generation', input: { prompt: 'a one-token story', maxTokens: 1 } }),
      });
      if (response.status !== 202) throw new Error(`POST /api/operations answered ${response.status}: ${response.body}`);
      answered.record(now() - sentAt);
    }
  };
  await Promise.all(Array.from({ length: LANES }, lane));
  return answered;
}

export const startsScenario: Scenario = {
  id: 'starts',
  title: 'Operation starts',
  budgetMs: () => 180_000,
  async run(profile: BenchProfile, log) {
    const { operations, warmup } = profile.starts;
    const target = await startTarget('herald');
    const pool = new HttpPool(target.port, LANES);
    try {
      await startMany(target, pool, 0, warmup);
      const cpu = new CpuMeter(target.pids);
      const postgresBefore = postgresCpu();
      const began = now();
      const answered = (await startMany(target, pool, warmup, operations)).summary();
      const seconds = (now() - began) / 1000;
      const usage = cpu.read();
      const postgresSeconds = postgresSecondsSince(postgresBefore);
      const rate = operations / seconds;
      const perStart = (s: number) => `${ms((s * 1000) / operations)} ms`;
      log(`${operations} operations started in ${seconds.toFixed(1)} s`);
      const markdown = [
        `${int(operations)} users each start one \`text-generation\` of one token through \`POST /api/operations\`, ` +
          `${LANES} requests in flight on keep-alive connections, after ${int(warmup)} starts to warm up. A start is ` +
          'the operation row, its `queued` event and the job, stored and enqueued before the `202`; the worker runs the ' +
          'operations meanwhile, as it would. CPU per start is of the whole measure: Herald API + worker, and every ' +
          'PostgreSQL process. No target is set; the start is what a page of users opening the app costs, and what the ' +
          "generation scenario's first seconds wait behind.",
        '',
        table(
          ['', 'Herald (distributed)'],
          [
            ['**starts per second**', `**${int(rate)}**`],
            ['`POST /api/operations` answered p50 / p90 / p99 / max', `${ms(answered.p50)} / ${ms(answered.p90)} / ${ms(answered.p99)} / ${ms(answered.max)} ms`],
            ['CPU per start: Herald API + worker / PostgreSQL', `${perStart(usage.serverSeconds)} / ${perStart(postgresSeconds)}`],
            ['CPU: Herald API + worker / bench client / machine', `${pct(usage.servers)} / ${pct(usage.client)} / ${pct(usage.machine)}`],
          ],
        ),
      ].join('\n');
      return {
        id: 'starts',
        title: this.title,
        markdown,
        figures: { operations, seconds, rate, answered, usage, postgresSeconds },
        summary: [
          {
            scenario: `operation starts, ${LANES} in flight`,
            target: '–',
            herald: `${int(rate)}/s, POST p99 ${ms(answered.p99)} ms`,
            met: null,
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
