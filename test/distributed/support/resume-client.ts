import { Rng } from './random';
import { sleep, waitAtMost } from './time';
import { View } from './resume-views';
import { SseEvent, SseSession } from './sse-session';

/** How a client's first connection starts: everything (0), after a random committed id, or live only. */
export type StartMode = 'zero' | 'recent' | 'live';

export interface Envelope {
  id: string;
  type: string;
  ts: string;
  workflowId: string | null;
  agentId: string | null;
  data: unknown;
}

export interface ReceivedEvent {
  id: number;
  type: string;
  envelope: Envelope;
  /** Which API process and which of this client's connections delivered it. */
  api: number;
  connection: number;
}

/**
 * A client that connects to a random API process, reads for a random time,
 * drops the connection (possibly mid-replay or mid-frame), and resumes with
 * the id of the last event it received, as a browser's EventSource would.
 */
export class ResumeClient {
  readonly received: ReceivedEvent[] = [];
  /** The client asked for every event of its view with an id above this. */
  startAfter: number | undefined;
  connections = 0;
  /** Resumes that went to the other API process than the previous connection. */
  switches = 0;
  readonly problems: string[] = [];
  private lastApi = -1;

  constructor(
    readonly index: number,
    readonly userId: string,
    readonly view: View,
    readonly start: StartMode,
    private readonly rng: Rng,
    private readonly apis: string[],
    private readonly token: string,
  ) {}

  /** Where the next connection resumes: the last received id, else the chosen start. */
  get resumeFrom(): number | undefined {
    return this.received.at(-1)?.id ?? this.startAfter;
  }

  /** Connects, reads and drops at random until `stopped` says so. */
  async churn(stopped: () => boolean, committedId: () => number): Promise<void> {
    if (this.start === 'zero') this.startAfter = 0;
    // Staggered arrivals, so 'recent' starts find events already committed.
    await sleep(this.rng.int(0, 1500));
    if (this.start === 'recent') this.startAfter = this.rng.int(0, committedId());
    let hopTo: number | undefined;
    while (!stopped()) {
      const session = this.open(hopTo);
      hopTo = undefined;
      if (this.rng.chance(0.25)) {
        // Drop right after a live event and resume at once on the other process, which may not
        // have handled that event yet: its replay and its live events must not repeat it.
        this.dropAfterEvents(session, this.rng.int(1, 5));
        await waitAtMost(session.ended, 2000);
        hopTo = (this.lastApi + 1) % this.apis.length;
      } else {
        await waitAtMost(session.ended, this.readTime());
      }
      session.close();
      await session.ended;
      if (hopTo === undefined) await sleep(this.rng.int(0, 40));
    }
  }

  /** One last connection that stays until the view's last stored id (`target`) has arrived. */
  async catchUp(target: number | undefined, timeoutMs: number): Promise<void> {
    const deadline = Date.now() + timeoutMs;
    const caughtUp = () => target !== undefined && (this.received.at(-1)?.id ?? -1) >= target;
    while (!caughtUp() && Date.now() < deadline) {
      const session = this.open();
      // Nothing expected: stay a moment anyway, so anything wrongly delivered shows up.
      const until = target === undefined ? Date.now() + 300 : deadline;
      while (!caughtUp() && Date.now() < until) {
        const ended = await Promise.race([session.ended.then(() => true), sleep(20).then(() => false)]);
        if (ended) break;
      }
      session.close();
      await session.ended;
      if (target === undefined) return;
    }
    if (!caughtUp()) this.problems.push(`did not catch up to id ${target} within ${timeoutMs} ms`);
  }

  private readTime(): number {
    // A quarter of the connections are cut within the handshake (registration,
    // replay, hand-over to live): the window where ordering bugs live.
    return this.rng.chance(0.25) ? this.rng.int(0, 15) : this.rng.int(20, 700);
  }

  private dropAfterEvents(session: SseSession, count: number): void {
    const deliver = session.onEvent;
    let seen = 0;
    session.onEvent = (ev) => {
      deliver?.(ev);
      if (ev.id !== null && ++seen === count) session.close();
    };
  }

  private open(apiIndex?: number): SseSession {
    const api = apiIndex ?? this.rng.int(0, this.apis.length - 1);
    if (this.lastApi !== -1 && api !== this.lastApi) this.switches++;
    this.lastApi = api;
    const connection = ++this.connections;
    const params = new URLSearchParams(this.view.params);
    const headers: Record<string, string> = { Authorization: `Bearer ${this.token}` };
    const from = this.resumeFrom;
    if (from !== undefined) {
      // Both ways of resuming that SPEC §3 accepts.
      if (this.rng.chance(0.5)) headers['Last-Event-ID'] = String(from);
      else params.set('lastEventId', String(from));
    }
    const query = params.toString();
    const session = new SseSession(`${this.apis[api]}${this.view.path}${query ? `?${query}` : ''}`, headers);
    session.onEvent = (ev) => this.accept(ev, api, connection);
    void session.ended.then(() => {
      if (session.status !== 0 && session.status !== 200) this.problems.push(`connection ${connection}: HTTP ${session.status}`);
    });
    return session;
  }

  private accept(ev: SseEvent, api: number, connection: number): void {
    if (ev.id === null) {
      if (ev.type !== 'stream.ready') this.problems.push(`connection ${connection}: unexpected ${ev.type} ${ev.data}`);
      return;
    }
    const envelope = JSON.parse(ev.data) as Envelope;
    const id = Number(ev.id);
    if (this.startAfter === undefined) this.startAfter = id - 1;
    this.received.push({ id, type: ev.type, envelope, api, connection });
  }
}
