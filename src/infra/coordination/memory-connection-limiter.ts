import { ConnectionLimiter } from './connection-limiter';

/** Embedded mode: one process, so a map of open connection ids per user is the whole truth. */
export class MemoryConnectionLimiter extends ConnectionLimiter {
  private readonly open = new Map<string, Set<string>>();

  async acquire(userId: string, connectionId: string, limit: number): Promise<boolean> {
    const set = this.open.get(userId) ?? new Set<string>();
    if (set.size >= limit) return false;
    set.add(connectionId);
    this.open.set(userId, set);
    return true;
  }

  async release(userId: string, connectionId: string): Promise<void> {
    const set = this.open.get(userId);
    if (!set) return;
    set.delete(connectionId);
    if (set.size === 0) this.open.delete(userId);
  }

  async renew(): Promise<void> {}
}
