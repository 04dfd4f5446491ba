import { Cluster, startCluster } from '../../distributed/support/cluster';
import { HeraldApi } from '../../distributed/support/herald-api';
import { CommittedIds, runPublisher } from '../../distributed/support/publisher';
import { Rng } from '../../distributed/support/random';
import { HeraldProcess } from '../../support/herald-process';
import { storedIds, waitForCatchUp } from './failover-check';
import { FailoverClient } from './failover-client';

/**
 * Two API processes and no worker for the suite, stopped after it; the
 * publisher writes for every user under one token, so its request budget must
 * not shape the run. Returns the running cluster's getter.
 */
export function useApiPair(): () => Cluster {
  let cluster: Cluster | undefined;
  beforeAll(async () => {
    cluster = await startCluster({ apis: 2, workers: 0, env: { RATE_LIMIT_PER_MINUTE: '100000000' } });
  }, 90_000);
  afterAll(async () => {
    await cluster?.stop();
  }, 60_000);
  return () => cluster!;
}

export interface FailoverRunOptions {
  /** Prefix of the users' and the publisher's names. */
  name: string;
  rng: Rng;
  users: number;
  clientsPerUser: number;
  writers: number;
  /** Delay before each reconnect (ms); none by default. */
  reconnectDelayMs?: () => number;
}

/**
 * Clients of every user streaming from both API processes (half from each,
 * failing over to the other), and writers publishing through the second one
 * (the survivor) until stopped: the setup of every "an API process goes away" test.
 */
export class FailoverRun {
  readonly victim: HeraldProcess;
  readonly survivor: HeraldProcess;
  readonly users: string[];
  readonly clients: FailoverClient[];
  private writing = true;
  private writers: Promise<number>[] = [];

  constructor(
    private readonly cluster: Cluster,
    private readonly options: FailoverRunOptions,
  ) {
    [this.victim, this.survivor] = cluster.apis;
    const urls = cluster.apis.map((p) => p.url);
    this.users = Array.from({ length: options.users }, (_, i) => `${options.name}-user-${i}`);
    this.clients = this.users.flatMap((userId) =>
      Array.from(
        { length: options.clientsPerUser },
        (_, k) => new FailoverClient(userId, urls, cluster.token(userId), k % 2, options.reconnectDelayMs),
      ),
    );
  }

  /** Connects every client, then starts the writers. */
  async start(): Promise<void> {
    await Promise.all(this.clients.map((c) => c.start()));
    const publisher = new HeraldApi(this.survivor.url, this.cluster.token(`${this.options.name}-publisher`, { scopes: ['events:publish'] }));
    const committed: CommittedIds = new Map();
    this.writers = Array.from({ length: this.options.writers }, (_, w) =>
      runPublisher(w, [publisher], this.users, this.options.rng.fork(w), committed, () => !this.writing),
    );
  }

  /** Stops the writers; resolves with how many events they published. */
  async stopWriting(): Promise<number> {
    this.writing = false;
    return (await Promise.all(this.writers)).reduce((a, b) => a + b, 0);
  }

  /** Waits until every client holds its user's stored sequence (or the wait ends), stops them, and returns the stored ids. */
  async settle(): Promise<Map<string, number[]>> {
    const stored = await storedIds(this.cluster.db.url, this.users);
    await waitForCatchUp(this.clients, stored);
    await Promise.all(this.clients.map((c) => c.stop()));
    return stored;
  }
}
