/**
 * Counts a user's open SSE connections across every API process. Leases
 * expire, so a process that dies without releasing cannot lock a user out.
 */
export abstract class ConnectionLimiter {
  abstract acquire(userId: string, connectionId: string, limit: number): Promise<boolean>;
  abstract release(userId: string, connectionId: string): Promise<void>;
  /** Extends the leases of connections that are still open. */
  abstract renew(leases: { userId: string; connectionId: string }[]): Promise<void>;
}
