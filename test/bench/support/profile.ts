import { TargetKind } from './targets';

/** Sizes of every scenario: the full run the issue sets targets for, and a CI smoke run. */
export interface BenchProfile {
  quick: boolean;
  idle: { connections: number; idleMs: number };
  fanout: { connections: number; rates: number[]; levelMs: number; publishSockets: number };
  generation: { operations: number; maxTokens: number };
  starts: { operations: number; warmup: number };
  replay: { events: number; trials: number };
  storm: { clients: number; livePerSecond: number; liveMs: number };
  /** Handshakes in flight while a crowd of streams opens. */
  openConcurrency: number;
  /** Servers the comparative scenarios measure (`--targets=` narrows it while investigating). */
  targets: TargetKind[];
}

const ALL_TARGETS: TargetKind[] = ['herald', 'herald-embedded', 'better-sse', 'naive-nest'];

export const FULL: BenchProfile = {
  quick: false,
  idle: { connections: 10_000, idleMs: 5_000 },
  fanout: {
    connections: 5_000,
    rates: [250, 500, 1_000, 2_500, 5_000, 7_500, 10_000, 15_000, 20_000],
    levelMs: 20_000,
    publishSockets: 512,
  },
  // 500 simulated generations at 40 tokens/s: 20,000 content events/s for 20 s.
  generation: { operations: 500, maxTokens: 800 },
  starts: { operations: 3_000, warmup: 500 },
  replay: { events: 10_000, trials: 5 },
  storm: { clients: 5_000, livePerSecond: 500, liveMs: 3_000 },
  openConcurrency: 200,
  targets: ALL_TARGETS,
};

// Small enough for two cores in CI within a few minutes; it proves that every
// scenario runs and reports, its numbers mean nothing.
export const QUICK: BenchProfile = {
  quick: true,
  idle: { connections: 200, idleMs: 1_000 },
  fanout: { connections: 200, rates: [100, 300], levelMs: 2_000, publishSockets: 16 },
  generation: { operations: 10, maxTokens: 40 },
  starts: { operations: 50, warmup: 10 },
  replay: { events: 1_000, trials: 2 },
  storm: { clients: 200, livePerSecond: 100, liveMs: 1_000 },
  openConcurrency: 50,
  targets: ALL_TARGETS,
};
