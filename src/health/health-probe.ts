import { HealthIndicatorResult, HealthIndicatorService } from '@nestjs/terminus';

/** A check answers within this or counts as down: a probe must never hang on a dependency that hangs. */
export const CHECK_TIMEOUT_MS = 2000;

/**
 * Runs one dependency check for /health/ready: `up` with what the check
 * returned (e.g. queue depth), or `down` with why — the error's message or the
 * timeout. Never throws, so one failing dependency cannot hide the others.
 */
export async function probeDependency<Key extends string>(
  indicators: HealthIndicatorService,
  key: Key,
  check: () => Promise<Record<string, unknown> | void>,
  timeoutMs = CHECK_TIMEOUT_MS,
): Promise<HealthIndicatorResult<Key>> {
  const session = indicators.check(key);
  let timer: NodeJS.Timeout | undefined;
  const timeout = new Promise<never>((_, reject) => {
    timer = setTimeout(() => reject(new Error(`no answer within ${timeoutMs} ms`)), timeoutMs);
  });
  try {
    return session.up((await Promise.race([check(), timeout])) ?? {});
  } catch (error) {
    return session.down({ message: error instanceof Error ? error.message : String(error) });
  } finally {
    clearTimeout(timer);
  }
}
