import { DynamicModule, Module, Type } from '@nestjs/common';
import { HeraldConfig } from './config/herald-config';
import { ConfigModule } from './config/config.module';
import { InfraModule } from './infra/infra.module';
import { LoggingModule } from './logging/logging.module';
import { AuthModule } from './auth/auth.module';
import { CommonModule } from './common/common.module';
import { RateLimitModule } from './common/rate-limit.module';
import { EventsHttpModule } from './events/events.module';
import { OperationsModule } from './operations/operations.module';
import { GenerationModule } from './generation/generation.module';
import { HealthModule } from './health/health.module';
import { DemoModule } from './demo/demo.module';
import { MetricsModule } from './metrics/metrics.module';
import { RetentionModule } from './retention/retention.module';

/** Composes what a role needs: HTTP modules for api, the job consumer for worker, both for all. */
@Module({})
export class AppModule {
  static forRole(config: HeraldConfig): DynamicModule {
    // Order matters: RateLimitModule's guard must come after AuthModule's.
    const http: Type[] = [
      CommonModule,
      AuthModule,
      RateLimitModule,
      MetricsModule,
      HealthModule,
      OperationsModule,
      EventsHttpModule,
      DemoModule,
    ];
    const worker: Type[] = [GenerationModule, RetentionModule];
    const imports: (Type | DynamicModule)[] = [
      ConfigModule.forRoot(config),
      LoggingModule.forRoot(config),
      InfraModule.forRoot(config),
    ];
    if (config.role !== 'worker') imports.push(...http);
    if (config.role !== 'api') imports.push(...worker);
    return { module: AppModule, imports };
  }
}
