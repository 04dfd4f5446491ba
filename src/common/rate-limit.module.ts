import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { RateLimitGuard } from './rate-limit.guard';
import { UserRateLimit } from './user-rate-limit';

/**
 * Global guards run in module scan order and this one needs the user the JWT
 * guard sets, so AppModule imports this module after AuthModule.
 */
@Module({
  providers: [UserRateLimit, { provide: APP_GUARD, useClass: RateLimitGuard }],
  exports: [UserRateLimit],
})
export class RateLimitModule {}
