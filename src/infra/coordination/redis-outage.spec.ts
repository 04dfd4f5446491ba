import { EventEmitter } from 'node:events';
import type Redis from 'ioredis';
import { RedisOutage } from './redis-outage';

const counted = async () => 'counted';

describe('RedisOutage', () => {
  const connection = () => new EventEmitter() as unknown as Redis;

  it('runs commands before the first connection and while connected', async () => {
    const redis = connection();
    const outage = new RedisOutage(redis);
    expect(await outage.unlessDown('down', counted)).toBe('counted');
    redis.emit('ready');
    expect(await outage.unlessDown('down', counted)).toBe('counted');
  });

  it('answers at once without Redis from a lost connection until it is ready again', async () => {
    const redis = connection();
    const outage = new RedisOutage(redis);
    const command = jest.fn(counted);
    redis.emit('close');
    expect(await outage.unlessDown('down', command)).toBe('down');
    expect(command).not.toHaveBeenCalled();
    redis.emit('ready');
    expect(await outage.unlessDown('down', command)).toBe('counted');
  });

  it('answers without Redis when the connection drops while the command is in flight', async () => {
    const redis = connection();
    const outage = new RedisOutage(redis);
    const lost = async () => {
      redis.emit('close');
      throw new Error('Connection is closed.');
    };
    expect(await outage.unlessDown('down', lost)).toBe('down');
  });

  it('passes on the failure of a command on a healthy connection', async () => {
    const outage = new RedisOutage(connection());
    await expect(outage.unlessDown('down', () => Promise.reject(new Error('WRONGTYPE')))).rejects.toThrow('WRONGTYPE');
  });
});
