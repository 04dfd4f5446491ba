import { Module } from '@nestjs/common';
import { ConnectionRegistry } from './connection-registry';
import { EventPollService } from './event-poll.service';
import { EventPublisherService } from './event-publisher.service';
import { EventStore } from './event-store';
import { EventStreamController } from './event-stream.controller';
import { EventStreamService } from './event-stream.service';
import { EventWriter } from './event-writer';
import { EventsController } from './events.controller';
import { OperationLookup } from './operation-lookup';
import { RetentionPolicy } from './retention-policy';
import { StreamRouter } from './stream-router';
import { PublishRawRoute } from './publish.raw-route';
import { StreamRawRoute } from './stream.raw-route';
import { StreamViews } from './stream-views';
import { AuthModule } from '../auth/auth.module';
import { RateLimitModule } from '../common/rate-limit.module';

/** Storage and writing of events: needed by every role. */
@Module({
  providers: [EventStore, EventWriter, RetentionPolicy],
  exports: [EventStore, EventWriter, RetentionPolicy],
})
export class EventsCoreModule {}

/** The HTTP side: SSE views, polling and publishing. Only in processes that serve HTTP. */
@Module({
  // AppModule imports AuthModule and RateLimitModule first, so their guards keep their order.
  imports: [EventsCoreModule, AuthModule, RateLimitModule],
  controllers: [EventStreamController, EventsController],
  providers: [
    StreamRouter,
    ConnectionRegistry,
    EventStreamService,
    EventPollService,
    EventPublisherService,
    OperationLookup,
    StreamViews,
    PublishRawRoute,
    StreamRawRoute,
  ],
  exports: [StreamRouter, ConnectionRegistry],
})
export class EventsHttpModule {}
