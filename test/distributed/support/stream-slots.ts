import { sleep } from './time';
import { SseSession } from './sse-session';

/**
 * Opens `count` user streams for one token, spread over the API processes,
 * and one more; returns the HTTP statuses (the last one is the extra stream).
 * With nothing else open, a per-user limit of `count` must accept exactly
 * `count`: a 429 earlier means slots leaked from connections already gone.
 */
export async function probeStreamSlots(urls: string[], token: string, count: number): Promise<number[]> {
  const open = (i: number) => {
    const session = new SseSession(`${urls[i % urls.length]}/api/events/stream`, { Authorization: `Bearer ${token}` });
    return (async () => {
      const deadline = Date.now() + 10_000;
      while (session.status === 0 && Date.now() < deadline) await sleep(10);
      // A 200 counts only once the stream is registered (its slot taken), signalled by stream.ready.
      while (session.status === 200 && session.events.length === 0 && Date.now() < deadline) await sleep(10);
      return session;
    })();
  };
  const sessions = await Promise.all(Array.from({ length: count }, (_, i) => open(i)));
  sessions.push(await open(count));
  const statuses = sessions.map((s) => s.status);
  for (const s of sessions) s.close();
  await Promise.all(sessions.map((s) => s.ended));
  return statuses;
}
