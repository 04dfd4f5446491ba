import { Controller, Get, INestApplication, Module } from '@nestjs/common';
import { APP_FILTER, APP_GUARD } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import request from 'supertest';
import { AuthModule } from '../auth/auth.module';
import { Public } from '../auth/public.decorator';
import { signToken } from '../auth/token-signer';
import { ConfigModule } from '../config/config.module';
import { loadConfig } from '../config/load-config';
import { MemoryRateLimiter } from '../infra/coordination/memory-rate-limiter';
import { RateLimiter } from '../infra/coordination/rate-limiter';
import { HttpExceptionFilter } from './http-exception.filter';
import { RateLimitGuard } from './rate-limit.guard';
import { UserRateLimit } from './user-rate-limit';

const SECRET = 'a-test-secret-that-is-long-enough-0123456789';
const LIMIT = 3;

@Controller()
class ProbeController {
  @Get('work')
  work() {
    return { ok: true };
  }

  @Public()
  @Get('health')
  health() {
    return { ok: true };
  }
}

// Imported after AuthModule: Nest runs global guards in module scan order,
// and the limiter needs the user the JWT guard authenticated.
@Module({
  providers: [
    { provide: RateLimiter, useFactory: () => new MemoryRateLimiter() },
    UserRateLimit,
    { provide: APP_GUARD, useClass: RateLimitGuard },
  ],
})
class RateLimitModule {}

describe('RateLimitGuard', () => {
  let app: INestApplication;
  const token = (userId: string) => signToken({ secret: SECRET, userId });
  const work = (userId: string) =>
    request(app.getHttpServer()).get('/work').set('Authorization', `Bearer ${token(userId)}`);

  beforeEach(async () => {
    const config = loadConfig({ JWT_SECRET: SECRET, RATE_LIMIT_PER_MINUTE: String(LIMIT) });
    const moduleRef = await Test.createTestingModule({
      imports: [ConfigModule.forRoot(config), AuthModule, RateLimitModule],
      controllers: [ProbeController],
      providers: [{ provide: APP_FILTER, useClass: HttpExceptionFilter }],
    }).compile();
    app = moduleRef.createNestApplication({ logger: false });
    await app.init();
  });
  afterEach(() => app.close());

  it('refuses the request past the per-minute limit with 429 and Retry-After', async () => {
    for (let i = 0; i < LIMIT; i++) await work('alice').expect(200);
    const refused = await work('alice').expect(429);
    expect(refused.body).toMatchObject({ statusCode: 429, error: 'Too Many Requests', code: 'RATE_LIMITED' });
    const retryAfter = Number(refused.headers['retry-after']);
    expect(retryAfter).toBeGreaterThanOrEqual(1);
    expect(retryAfter).toBeLessThanOrEqual(60);
  });

  it('counts each user separately', async () => {
    for (let i = 0; i <= LIMIT; i++) await work('alice');
    await work('bob').expect(200);
  });

  it('does not count public routes or unauthenticated requests against anyone', async () => {
    for (let i = 0; i <= LIMIT; i++) await request(app.getHttpServer()).get('/health').expect(200);
    for (let i = 0; i <= LIMIT; i++) await request(app.getHttpServer()).get('/work').expect(401);
    await work('alice').expect(200);
  });
});
