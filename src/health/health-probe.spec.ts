import { HealthIndicatorService } from '@nestjs/terminus';
import { probeDependency } from './health-probe';

describe('probeDependency', () => {
  const indicators = new HealthIndicatorService();

  it('reports up with what the check returned', async () => {
    await expect(probeDependency(indicators, 'queue', async () => ({ waiting: 2, active: 1 }))).resolves.toEqual({
      queue: { status: 'up', waiting: 2, active: 1 },
    });
    await expect(probeDependency(indicators, 'database', async () => undefined)).resolves.toEqual({ database: { status: 'up' } });
  });

  it('reports down with the reason when the check fails', async () => {
    const result = await probeDependency(indicators, 'database', () => Promise.reject(new Error('connect ECONNREFUSED')));
    expect(result).toEqual({ database: { status: 'down', message: 'connect ECONNREFUSED' } });
  });

  it('reports down when the check does not answer in time, without waiting for it', async () => {
    const started = Date.now();
    const result = await probeDependency(indicators, 'redis', () => new Promise(() => undefined), 50);
    expect(result).toEqual({ redis: { status: 'down', message: 'no answer within 50 ms' } });
    expect(Date.now() - started).toBeLessThan(1000);
  });
});
