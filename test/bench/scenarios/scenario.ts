import { BenchProfile } from '../support/profile';

/** What a scenario hands back: a Markdown section for BENCHMARKS.md and figures for the headline and JSON. */
export interface ScenarioReport {
  id: string;
  title: string;
  markdown: string;
  figures: Record<string, unknown>;
  /** Rows of the summary table at the top of BENCHMARKS.md. */
  summary: SummaryRow[];
}

export interface SummaryRow {
  scenario: string;
  target: string;
  herald: string;
  /** null where the issue sets no target. */
  met: boolean | null;
  peers: string;
}

export interface Scenario {
  id: string;
  title: string;
  /** Hard bound on the scenario's run time; past it the runner stops every server it started. */
  budgetMs(profile: BenchProfile): number;
  run(profile: BenchProfile, log: (line: string) => void): Promise<ScenarioReport>;
}
