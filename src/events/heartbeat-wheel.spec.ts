import { randomUUID } from 'node:crypto';
import { HeartbeatWheel } from './heartbeat-wheel';

describe('HeartbeatWheel', () => {
  const members = Array.from({ length: 5_000 }, () => ({ id: randomUUID() }));

  it('visits every member exactly once per period, a share of them each tick', () => {
    const wheel = new HeartbeatWheel<{ id: string }>(15_000);
    for (const m of members) wheel.add(m);
    expect(wheel.tickMs).toBe(1_000);
    const visits = new Map<string, number>();
    const perTick: number[] = [];
    for (let t = 0; t < 15; t++) {
      const due = [...wheel.tick()];
      perTick.push(due.length);
      for (const m of due) visits.set(m.id, (visits.get(m.id) ?? 0) + 1);
    }
    expect(visits.size).toBe(members.length);
    expect([...visits.values()].every((n) => n === 1)).toBe(true);
    // Evenly spread: no tick carries much more than its share (5,000 / 15 ≈ 333).
    expect(Math.max(...perTick)).toBeLessThan(450);
    // The next period visits the same members again.
    expect([...wheel.tick()]).toHaveLength(perTick[0]);
  });

  it('forgets removed members and keeps short periods cut into at least four ticks', () => {
    const wheel = new HeartbeatWheel<{ id: string }>(150);
    expect(wheel.tickMs).toBe(37.5);
    for (const m of members.slice(0, 100)) wheel.add(m);
    for (const m of members.slice(0, 50)) wheel.delete(m);
    const seen = Array.from({ length: 4 }, () => [...wheel.tick()]).flat();
    expect(seen.map((m) => m.id).sort()).toEqual(members.slice(50, 100).map((m) => m.id).sort());
  });
});
