import { readFileSync } from 'node:fs';

// Linux /proc readers: the benchmark measures the servers from outside, so
// their numbers are the kernel's, not what a process says about itself.

/** Resident set size of a process in bytes (VmRSS), or NaN once it is gone. */
export function rssBytes(pid: number): number {
  try {
    const match = /VmRSS:\s+(\d+) kB/.exec(readFileSync(`/proc/${pid}/status`, 'utf8'));
    return match ? Number(match[1]) * 1024 : NaN;
  } catch {
    return NaN;
  }
}

/** CPU time (user + system) a process has used, in seconds. */
export function cpuSeconds(pid: number): number {
  try {
    const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
    // The command name (field 2) may hold spaces: count fields after its closing parenthesis.
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
    return (Number(fields[11]) + Number(fields[12])) / CLOCK_TICKS;
  } catch {
    return NaN;
  }
}

// USER_HZ is 100 on every Linux architecture Node supports.
const CLOCK_TICKS = 100;

/** Busy and total jiffies of the whole machine, to show how saturated it was. */
export function machineTicks(): { busy: number; total: number } {
  const line = readFileSync('/proc/stat', 'utf8').split('\n')[0];
  const values = line.trim().split(/\s+/).slice(1).map(Number);
  const idle = values[3] + (values[4] ?? 0);
  const total = values.reduce((a, b) => a + b, 0);
  return { busy: total - idle, total };
}

export interface CpuReading {
  serverSeconds: number;
  servers: number;
  client: number;
  machine: number;
}

/** Samples CPU use of some processes, this one and the machine between start and stop. */
export class CpuMeter {
  private readonly startProcs: number[];
  private readonly startSelf = process.cpuUsage();
  private readonly startMachine = machineTicks();
  private readonly startWall = performance.now();

  constructor(private readonly pids: number[]) {
    this.startProcs = pids.map(cpuSeconds);
  }

  /** Percent of one core (server processes summed, the bench client) and of the whole machine; server CPU seconds. */
  read(): CpuReading {
    const wall = (performance.now() - this.startWall) / 1000;
    const servers = this.pids.reduce((sum, pid, i) => sum + (cpuSeconds(pid) - this.startProcs[i]), 0);
    const self = process.cpuUsage(this.startSelf);
    const machine = machineTicks();
    return {
      serverSeconds: servers,
      servers: (servers / wall) * 100,
      client: ((self.user + self.system) / 1e6 / wall) * 100,
      machine: ((machine.busy - this.startMachine.busy) / (machine.total - this.startMachine.total)) * 100,
    };
  }
}

/** The soft limit on open files of this process (children inherit it). */
export function openFileLimit(): number {
  const match = /Max open files\s+(\d+|unlimited)/.exec(readFileSync('/proc/self/limits', 'utf8'));
  if (!match) return NaN;
  return match[1] === 'unlimited' ? Infinity : Number(match[1]);
}

/** How busy the machine is without the bench's servers (other work sharing the cores), in percent of all cores. */
export async function backgroundBusy(ms = 2_000): Promise<number> {
  const start = machineTicks();
  await new Promise((resolve) => setTimeout(resolve, ms));
  const end = machineTicks();
  return ((end.busy - start.busy) / Math.max(1, end.total - start.total)) * 100;
}

/**
 * Waits until the processes use less than `threshold` percent of a core over
 * half a second: a server can still be finishing work for streams whose
 * response head has already gone out, and load must not start on top of that.
 * Resolves with how long it waited.
 */
export async function waitForQuiet(pids: number[], maxMs: number, threshold = 10): Promise<number> {
  const started = performance.now();
  const total = () => pids.reduce((sum, pid) => sum + cpuSeconds(pid), 0);
  let last = total();
  while (performance.now() - started < maxMs) {
    await new Promise((resolve) => setTimeout(resolve, 500));
    const current = total();
    if (((current - last) / 0.5) * 100 < threshold) break;
    last = current;
  }
  return performance.now() - started;
}
