import { applyDecorators, Controller, Get, Headers, Param, Query, Req, Res } from '@nestjs/common';
import { ApiBearerAuth, ApiOperation, ApiParam, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { TAG_ID_PATTERN } from '@herald/contracts';
import type { Request, Response } from 'express';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { OPERATION_NOT_FOUND } from '../openapi/api-errors';
import { ApiEventStream } from '../openapi/event-stream';
import { StreamViews } from './stream-views';

/** The documentation of a view of the operations tagged with a workflowId or an agentId. */
function ApiTaggedStream(tag: 'workflowId' | 'agentId'): MethodDecorator {
  return applyDecorators(
    ApiOperation({ summary: `Events of the caller's operations tagged with this ${tag}` }),
    ApiParam({ name: 'id', description: tag, schema: { type: 'string', pattern: TAG_ID_PATTERN.source } }),
    ApiEventStream({
      errors: { 400: `Malformed ${tag}, Last-Event-ID or lastEventId, unknown event type in \`types\`, unknown query parameter` },
    }),
  );
}

/**
 * The four SSE views. They write the response themselves (not @Sse) because
 * the contract needs what @Sse cannot give: 204 on a finished operation,
 * comment heartbeats, `retry:`, and backpressure on every socket.
 */
@ApiTags('events')
@ApiBearerAuth()
@ApiSecurity('access_token')
@Controller('api/events')
export class EventStreamController {
  constructor(private readonly views: StreamViews) {}

  @Get('stream')
  @ApiOperation({ summary: 'Every event of the caller, live (replayed from Last-Event-ID when given)' })
  @ApiEventStream()
  async user(
    @CurrentUser() user: AuthenticatedUser,
    @Query() query: Record<string, unknown>,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.views.open(req, res, user, { view: 'user', query, lastEventIdHeader: lastEventId });
  }

  @Get('operations/:id')
  @ApiOperation({ summary: "One operation's events: retained ones first, ends after the terminal event" })
  @ApiParam({ name: 'id', format: 'uuid', description: 'Operation id' })
  @ApiEventStream({
    endsAfterTerminal: true,
    errors: {
      400: 'The id is not a UUID, malformed Last-Event-ID or lastEventId, unknown event type in `types`, unknown query parameter',
      404: OPERATION_NOT_FOUND,
    },
  })
  async operation(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    await this.views.open(req, res, user, { view: 'operation', id, query, lastEventIdHeader: lastEventId });
  }

  @Get('workflows/:id')
  @ApiTaggedStream('workflowId')
  workflow(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.views.open(req, res, user, { view: 'workflow', id, query, lastEventIdHeader: lastEventId });
  }

  @Get('agents/:id')
  @ApiTaggedStream('agentId')
  agent(
    @CurrentUser() user: AuthenticatedUser,
    @Param('id') id: string,
    @Query() query: Record<string, unknown>,
    @Headers('last-event-id') lastEventId: string | undefined,
    @Req() req: Request,
    @Res() res: Response,
  ): Promise<void> {
    return this.views.open(req, res, user, { view: 'agent', id, query, lastEventIdHeader: lastEventId });
  }
}
