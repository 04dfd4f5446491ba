/**
 * Whether pino-pretty can be loaded. It is a devDependency: a production
 * install (`npm ci --omit=dev`) lacks it, and a pino transport that cannot
 * load kills the process at its first log line.
 */
export function prettyLogsAvailable(resolve: (id: string) => string = require.resolve): boolean {
  try {
    resolve('pino-pretty');
    return true;
  } catch {
    return false;
  }
}
