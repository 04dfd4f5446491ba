import { mkdirSync, writeFileSync } from 'node:fs';
import { join } from 'node:path';
import { stopAllHeralds } from '../support/herald-process';
import { now } from './client/clock';
import { findRepoRoot, Reported, writeReport } from './report';
import { BenchProfile, FULL, QUICK } from './support/profile';
import { backgroundBusy, openFileLimit } from './support/proc-stats';
import { serviceVersions } from './support/services';
import { enableCpuProfiles, TARGET_LABELS, TargetKind } from './support/targets';
import { fanoutScenario } from './scenarios/fanout';
import { generationScenario } from './scenarios/generation';
import { idleScenario } from './scenarios/idle';
import { replayScenario } from './scenarios/replay';
import { Scenario } from './scenarios/scenario';
import { startsScenario } from './scenarios/starts';
import { stormScenario } from './scenarios/storm';

// `npm run bench [-- --quick] [--only=idle,fanout] [--targets=herald,better-sse] [--rates=5000,10000] [--cpu-prof]`:
// starts every server it measures (Herald and both baselines) on 127.0.0.1,
// one scenario at a time, and writes BENCHMARKS.md (quick and partial runs
// write under dist/bench/ instead).

const SCENARIOS: Scenario[] = [idleScenario, fanoutScenario, generationScenario, startsScenario, replayScenario, stormScenario];

interface Args {
  quick: boolean;
  only: Set<string> | null;
  targets: TargetKind[] | null;
  /** Fan-out rates to try instead of the profile's ramp: a quicker look at one load while investigating. */
  rates: number[] | null;
  cpuProf: boolean;
}

function parseArgs(argv: string[]): Args {
  const value = (name: string) => argv.find((a) => a.startsWith(`--${name}=`))?.slice(name.length + 3);
  const only = value('only');
  const targets = value('targets');
  const unknown = [
    ...(only?.split(',') ?? []).filter((id) => !SCENARIOS.some((sc) => sc.id === id)),
    ...(targets?.split(',') ?? []).filter((kind) => !(kind in TARGET_LABELS)),
  ];
  if (unknown.length > 0) throw new Error(`unknown scenario or target: ${unknown.join(', ')}`);
  const rates = value('rates')?.split(',').map(Number);
  if (rates?.some((r) => !Number.isInteger(r) || r <= 0)) throw new Error('--rates takes positive whole events per second, comma-separated');
  return {
    quick: argv.includes('--quick'),
    only: only ? new Set(only.split(',')) : null,
    targets: targets ? (targets.split(',') as TargetKind[]) : null,
    rates: rates ?? null,
    cpuProf: argv.includes('--cpu-prof'),
  };
}

function checkFileLimit(profile: BenchProfile): void {
  // Each stream is a socket in this process and one in the server.
  const needed = Math.max(profile.idle.connections, profile.fanout.connections) + (profile.quick ? 500 : 2_000);
  const limit = openFileLimit();
  if (limit < needed) {
    throw new Error(`open-file limit is ${limit}, this run needs ${needed}: raise it first (ulimit -n ${needed})`);
  }
}

function withDeadline<T>(promise: Promise<T>, ms: number, what: string): Promise<T> {
  let timer: NodeJS.Timeout | undefined;
  const deadline = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} exceeded its ${Math.round(ms / 1000)} s budget`)), ms);
  });
  return Promise.race([promise, deadline]).finally(() => clearTimeout(timer));
}

async function runScenario(scenario: Scenario, profile: BenchProfile): Promise<Reported> {
  // Numbers from a machine that is busy with something else are worth less; say so in the report.
  const background = await backgroundBusy();
  const started = now();
  const log = (line: string) => console.log(`  [${scenario.id} ${((now() - started) / 1000).toFixed(0)}s] ${line}`);
  console.log(`\n== ${scenario.title}`);
  try {
    const report = await withDeadline(scenario.run(profile, log), scenario.budgetMs(profile), scenario.id);
    return { ...report, seconds: (now() - started) / 1000, background };
  } catch (error) {
    const message = (error as Error).stack ?? String(error);
    console.error(`  ${scenario.id} failed: ${message}`);
    return {
      id: scenario.id,
      title: scenario.title,
      markdown: `**Did not complete:** ${(error as Error).message}`,
      figures: {},
      summary: [],
      error: (error as Error).message,
      seconds: (now() - started) / 1000,
      background,
    };
  } finally {
    // Whatever a failed or timed-out scenario left running goes now, before the next one starts.
    await stopAllHeralds();
  }
}

async function main(): Promise<void> {
  const args = parseArgs(process.argv.slice(2));
  const base = args.quick ? QUICK : FULL;
  const profile: BenchProfile = {
    ...base,
    targets: args.targets ?? base.targets,
    fanout: { ...base.fanout, rates: args.rates ?? base.fanout.rates },
  };
  checkFileLimit(profile);
  const root = findRepoRoot();
  const outDir = join(root, 'dist', 'bench');
  if (args.cpuProf) {
    const dir = join(outDir, 'profiles', new Date().toISOString().replace(/[:.]/g, '-'));
    enableCpuProfiles(dir);
    console.log(`CPU profiles of every server go to ${dir}`);
  }
  const started = now();
  const reports: Reported[] = [];
  for (const scenario of SCENARIOS) {
    if (args.only && !args.only.has(scenario.id)) continue;
    reports.push(await runScenario(scenario, profile));
  }
  const seconds = (now() - started) / 1000;
  mkdirSync(outDir, { recursive: true });
  writeFileSync(join(outDir, args.quick ? 'results-quick.json' : 'results.json'), JSON.stringify({ seconds, reports }, null, 2));
  // Only a complete, unprofiled run may replace the published figures.
  const partial = args.only !== null || args.targets !== null || args.rates !== null || args.cpuProf;
  const file = args.quick
    ? join(outDir, 'BENCHMARKS.quick.md')
    : partial
      ? join(outDir, 'BENCHMARKS.partial.md')
      : join(root, 'BENCHMARKS.md');
  const services = await serviceVersions();
  const markdown = writeReport(file, reports, { quick: args.quick, seconds, argv: process.argv.slice(2), services });
  console.log(`\n${markdown}\n\nwritten to ${file} (${Math.round(seconds)} s)`);
  const failed = reports.filter((r) => r.error);
  if (failed.length > 0) {
    console.error(`scenarios that did not complete: ${failed.map((r) => r.id).join(', ')}`);
    process.exitCode = 1;
  }
}

// Interrupted (Ctrl-C, CI timeout): the servers it started must not outlive it.
for (const signal of ['SIGINT', 'SIGTERM'] as const) {
  process.once(signal, () => {
    console.error(`\n${signal}: stopping every server the bench started`);
    void stopAllHeralds().finally(() => process.exit(130));
  });
}

main()
  .catch((error: unknown) => {
    console.error((error as Error).stack ?? error);
    process.exitCode = 1;
  })
  // Pooled sockets and timers of finished scenarios must not keep the process alive.
  .finally(() => setTimeout(() => process.exit(), 100));
