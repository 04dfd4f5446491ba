import { Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiCreatedResponse, ApiOkResponse, ApiOperation, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { PolledEvents, PublishedEvent, TAG_ID_PATTERN } from '@herald/contracts';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiErrors } from '../openapi/api-errors';
import { EVENT_ID_PATTERN, PolledEventsDto, PublishedEventDto } from '../openapi/event.dto';
import { RequireScope } from '../auth/require-scope.decorator';
import { PublishEventDto } from './dto/publish-event.dto';
import { EventPollService } from './event-poll.service';
import { EventPublisherService, PUBLISH_SCOPE } from './event-publisher.service';
import { parsePollQuery } from './poll-query';

@ApiTags('events')
@ApiBearerAuth()
@ApiSecurity('access_token')
@Controller('api/events')
export class EventsController {
  constructor(
    private readonly polls: EventPollService,
    private readonly publisher: EventPublisherService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Polling fallback: stored events after `after`, long-polling up to `wait` seconds' })
  @ApiQuery({ name: 'after', required: false, description: 'Events with a greater id (default 0)', schema: { type: 'string', pattern: EVENT_ID_PATTERN } })
  @ApiQuery({ name: 'operationId', required: false, schema: { type: 'string', format: 'uuid' } })
  @ApiQuery({ name: 'workflowId', required: false, schema: { type: 'string', pattern: TAG_ID_PATTERN.source } })
  @ApiQuery({ name: 'agentId', required: false, schema: { type: 'string', pattern: TAG_ID_PATTERN.source } })
  @ApiQuery({ name: 'types', required: false, description: 'Comma-separated event types', schema: { type: 'string' } })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 1000, default: 100 } })
  @ApiQuery({
    name: 'wait',
    required: false,
    description: 'Seconds to wait for a first event when there is none yet',
    schema: { type: 'integer', minimum: 0, maximum: 30, default: 0 },
  })
  @ApiOkResponse({ type: PolledEventsDto, description: 'Up to `limit` stored events; empty when none arrived within `wait`' })
  @ApiErrors({ 400: 'Unknown or repeated query parameter, or a malformed value' })
  async poll(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: Record<string, unknown>,
    @Req() req: Request,
  ): Promise<PolledEvents> {
    const parsed = parsePollQuery(query);
    const gone = new AbortController();
    req.on('close', () => gone.abort());
    return this.polls.poll({ userId: user.userId, ...parsed }, gone.signal);
  }

  @Post()
  @HttpCode(201)
  @RequireScope(PUBLISH_SCOPE)
  @ApiOperation({ summary: 'Publish a custom event to a user (service tokens with scope events:publish)' })
  @ApiCreatedResponse({ type: PublishedEventDto, description: 'Stored (unless persistent: false) and delivered to the user\'s streams' })
  @ApiErrors({
    400: 'Invalid body, or a type that is malformed or in the reserved operation.* / stream.* namespaces',
    403: 'The token lacks scope events:publish',
    404: 'operationId is not an operation of that user',
    413: 'data larger than 64 KiB, or a body larger than 256 KiB',
  })
  // Plain requests from services are answered by PublishRawRoute with the same steps; this handler takes the rest.
  publish(@Body() body: PublishEventDto): Promise<PublishedEvent> {
    return this.publisher.publish(body);
  }
}
