import { SseSession } from '../../distributed/support/sse-session';
import { sleep } from '../../distributed/support/time';

/** How one of the client's connections ended. */
export interface ConnectionEnd {
  api: number;
  /** The server ended the response properly (a graceful shutdown) rather than the socket dying. */
  clean: boolean;
  at: number;
}

/**
 * A client behind a load balancer that drops a dead instance: it follows the
 * user view from the start (Last-Event-ID 0) and, whenever its connection
 * ends, reconnects to the next API process in the list with the id of the
 * last event it received, as EventSource does.
 */
export class FailoverClient {
  readonly ids: number[] = [];
  readonly ends: ConnectionEnd[] = [];
  readonly problems: string[] = [];
  connections = 0;
  /** Index of the API process the current connection goes to. */
  api: number;
  private session: SseSession | null = null;
  private stopped = false;
  private running: Promise<void> = Promise.resolve();

  constructor(
    readonly userId: string,
    private readonly urls: string[],
    private readonly token: string,
    firstApi: number,
    private readonly reconnectDelayMs: () => number = () => 0,
  ) {
    this.api = firstApi;
  }

  /** Resolves once the first connection has registered (stream.ready). */
  async start(): Promise<void> {
    const ready = new Promise<void>((resolve, reject) => {
      this.running = this.run(resolve).catch((error: Error) => {
        this.problems.push(error.message);
        reject(error);
      });
    });
    await ready;
  }

  get lastId(): number {
    return this.ids.at(-1) ?? 0;
  }

  async stop(): Promise<void> {
    this.stopped = true;
    this.session?.close();
    await this.running;
  }

  private async run(onReady: () => void): Promise<void> {
    let ready: (() => void) | null = onReady;
    while (!this.stopped) {
      const api = this.api;
      const session = new SseSession(`${this.urls[api]}/api/events/stream`, {
        Authorization: `Bearer ${this.token}`,
        'Last-Event-ID': String(this.lastId),
      });
      this.session = session;
      this.connections++;
      session.onEvent = (ev) => {
        if (ev.type === 'stream.ready') {
          ready?.();
          ready = null;
        } else if (ev.id === null) this.problems.push(`unexpected ${ev.type} ${ev.data} from api#${api + 1}`);
        else this.ids.push(Number(ev.id));
      };
      await session.ended;
      if (this.stopped) return;
      if (session.status !== 200) this.problems.push(`api#${api + 1} answered HTTP ${session.status}`);
      this.ends.push({ api, clean: session.endedCleanly, at: Date.now() });
      this.api = (api + 1) % this.urls.length;
      await sleep(this.reconnectDelayMs());
    }
  }
}
