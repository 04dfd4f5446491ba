/**
 * Spreads a periodic visit of many members over the period: the period is cut
 * into ticks, each member belongs to one tick (chosen from its random id), and
 * each tick visits only its members. Heartbeating every connection in one go
 * wrote to 5,000 sockets in one turn of the event loop every 15 s, a stall of
 * more than 100 ms that every live event behind it waited out.
 */
export class HeartbeatWheel<T extends { id: string }> {
  /** Call tick() this often; every member comes up once per period. */
  readonly tickMs: number;
  private readonly slots: Set<T>[];
  private next = 0;

  constructor(periodMs: number) {
    // About one tick a second, and at least four so a member never waits much longer than the period.
    const count = Math.max(4, Math.ceil(periodMs / 1000));
    this.tickMs = periodMs / count;
    this.slots = Array.from({ length: count }, () => new Set<T>());
  }

  add(member: T): void {
    this.slotOf(member).add(member);
  }

  delete(member: T): void {
    this.slotOf(member).delete(member);
  }

  /** The members whose turn it is now. */
  tick(): Iterable<T> {
    const slot = this.slots[this.next];
    this.next = (this.next + 1) % this.slots.length;
    return slot;
  }

  /** The id picks the slot (a UUID's leading characters are random): nothing to store per member. */
  private slotOf(member: T): Set<T> {
    const id = member.id;
    let hash = 0;
    for (let i = 0; i < Math.min(8, id.length); i++) hash = (Math.imul(hash, 31) + id.charCodeAt(i)) >>> 0;
    return this.slots[hash % this.slots.length];
  }
}
