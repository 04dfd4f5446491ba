/** SQLSTATE classes worth retrying: serialization failures, deadlocks, lost or refused connections. */
const TRANSIENT_CODES = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);
/**
 * Socket errors of a database that is down or restarting. Matched on `code` too:
 * a refused connection to a name with several addresses is an AggregateError
 * with an empty message.
 */
const NETWORK_CODES = new Set(['ECONNREFUSED', 'ECONNRESET', 'EPIPE', 'ETIMEDOUT', 'EHOSTUNREACH', 'ENETUNREACH', 'EAI_AGAIN']);
const TRANSIENT_MESSAGES = /ECONNREFUSED|ECONNRESET|EPIPE|Connection terminated|terminating connection|timeout exceeded when trying to connect/i;

/**
 * True when the database could not be reached or asked for a retry, rather
 * than refusing the statement: the same work may succeed later, so it is
 * retried (the event writer) or left to run again later (a generation job).
 */
export function isTransientDbError(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string }; message?: string };
  const code = e?.code ?? e?.driverError?.code;
  if (code && (TRANSIENT_CODES.has(code) || NETWORK_CODES.has(code))) return true;
  return TRANSIENT_MESSAGES.test(e?.message ?? '');
}
