import { Body, Controller, Get, HttpCode, Post, Query, Req } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiTags } from '@nestjs/swagger';
import type { Request } from 'express';
import { PolledEvents, PublishedEvent } from '@herald/contracts';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { RequireScope } from '../auth/require-scope.decorator';
import { PublishEventDto } from './dto/publish-event.dto';
import { EventPollService } from './event-poll.service';
import { EventPublisherService } from './event-publisher.service';
import { parsePollQuery } from './poll-query';

@ApiTags('events')
@ApiBearerAuth()
@Controller('api/events')
export class EventsController {
  constructor(
    private readonly polls: EventPollService,
    private readonly publisher: EventPublisherService,
  ) {}

  @Get()
  @ApiOperation({ summary: 'Polling fallback: stored events after `after`, long-polling up to `wait` seconds' })
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
  @RequireScope('events:publish')
  @ApiOperation({ summary: 'Publish a custom event to a user (service tokens with scope events:publish)' })
  publish(@Body() body: PublishEventDto): Promise<PublishedEvent> {
    return this.publisher.publish(body);
  }
}
