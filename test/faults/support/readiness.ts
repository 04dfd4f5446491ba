/** GET /health/ready: the HTTP status and each dependency's status ('up' | 'down') from terminus' details. */
export async function readiness(baseUrl: string): Promise<{ status: number } & Record<string, string | number>> {
  const res = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { details: Record<string, { status: string }> };
  const checks = Object.entries(body.details).map(([name, detail]) => [name, detail.status]);
  return { status: res.status, ...Object.fromEntries(checks) };
}
