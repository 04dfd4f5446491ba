import { join } from 'node:path';
import { HeraldProcess } from '../../support/herald-process';

/** NODE_OPTIONS that load the memory probe into a Herald process (see memory-probe.js). */
export const MEMORY_PROBE_NODE_OPTIONS = `--expose-gc --require ${join(__dirname, 'memory-probe.js')}`;

/**
 * Measures a process that runs with the memory probe: what it retains after a
 * full garbage collection (heap in use plus memory held outside the heap, such
 * as buffers), and its resident size at that moment.
 */
export class RetainedMemory {
  private probes = 0;

  constructor(private readonly process: HeraldProcess) {}

  async measure(): Promise<{ retained: number; resident: number }> {
    const n = ++this.probes;
    globalThis.process.kill(this.process.pid, 'SIGWINCH');
    const line = await this.process.waitForOutput(new RegExp(`^memory-probe ${n} `), 10_000);
    const value = (name: string) => Number(new RegExp(`${name}=(\\d+)`).exec(line)?.[1]);
    return { retained: value('heapUsed') + value('external'), resident: value('rss') };
  }
}
