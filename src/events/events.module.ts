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

/** Storage and writing of events: needed by every role. */
@Module({
  providers: [EventStore, EventWriter, RetentionPolicy],
  exports: [EventStore, EventWriter, RetentionPolicy],
})
export class EventsCoreModule {}

/** The HTTP side: SSE views, polling and publishing. Only in processes that serve HTTP. */
@Module({
  imports: [EventsCoreModule],
  controllers: [EventStreamController, EventsController],
  providers: [StreamRouter, ConnectionRegistry, EventStreamService, EventPollService, EventPublisherService, OperationLookup],
  exports: [StreamRouter, ConnectionRegistry],
})
export class EventsHttpModule {}
