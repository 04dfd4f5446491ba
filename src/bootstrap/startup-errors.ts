/** Turns the usual start-up failures into a sentence that names the fix. */
export function describeStartupError(error: unknown): string {
  const e = error as NodeJS.ErrnoException & { port?: number; address?: string };
  if (e?.code === 'EADDRINUSE') {
    return `Port ${e.port ?? ''} is already in use. Stop the other process or start with PORT=<another port>.`;
  }
  if (e?.code === 'EACCES' && e.syscall === 'listen') {
    return `Not allowed to listen on port ${e.port ?? ''}. Use a port above 1024 (PORT=3000).`;
  }
  if (e?.code === 'ECONNREFUSED') {
    return `Could not connect to ${e.address ?? 'a service'}:${e.port ?? ''} (${e.message}). Is it running?`;
  }
  return (error as Error)?.stack ?? String(error);
}
