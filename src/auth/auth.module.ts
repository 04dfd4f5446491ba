import { Module } from '@nestjs/common';
import { APP_GUARD } from '@nestjs/core';
import { JwtAuthGuard } from './jwt-auth.guard';
import { JwtStrategy } from './jwt.strategy';
import { ScopeGuard } from './scope.guard';

/**
 * Global authentication. Nest runs global guards in registration order, so the
 * scope guard listed second always sees the user the JWT guard put on the request.
 */
@Module({
  providers: [
    JwtStrategy,
    { provide: APP_GUARD, useClass: JwtAuthGuard },
    { provide: APP_GUARD, useClass: ScopeGuard },
  ],
  exports: [JwtStrategy],
})
export class AuthModule {}
