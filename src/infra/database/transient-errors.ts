/** SQLSTATE classes worth retrying: serialization failures, deadlocks, lost or refused connections. */
const TRANSIENT_CODES = new Set(['40001', '40P01', '57P01', '57P02', '57P03', '08000', '08003', '08006', '08001', '08004']);
const TRANSIENT_MESSAGES = /ECONNREFUSED|ECONNRESET|EPIPE|Connection terminated|terminating connection|timeout exceeded when trying to connect/i;

export function isTransientDbError(error: unknown): boolean {
  const e = error as { code?: string; driverError?: { code?: string }; message?: string };
  const code = e?.code ?? e?.driverError?.code;
  if (code && TRANSIENT_CODES.has(code)) return true;
  return TRANSIENT_MESSAGES.test(e?.message ?? '');
}
