/** GET /health/ready: the HTTP status and each dependency's check ('up' | 'down'). */
export async function readiness(baseUrl: string): Promise<{ status: number } & Record<string, string | number>> {
  const res = await fetch(`${baseUrl}/health/ready`, { signal: AbortSignal.timeout(10_000) });
  const body = (await res.json()) as { checks: Record<string, string> };
  return { status: res.status, ...body.checks };
}
