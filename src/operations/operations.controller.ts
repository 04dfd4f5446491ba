import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiBearerAuth, ApiHeader, ApiOperation, ApiTags } from '@nestjs/swagger';
import { Operation, OperationAccepted, OperationList } from '@herald/contracts';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiError } from '../common/api-error';
import { parseOperationId } from '../common/ids';
import { CancelOperationCommand } from './commands/cancel-operation.command';
import { StartOperationCommand } from './commands/start-operation.command';
import { CreateOperationDto } from './dto/create-operation.dto';
import { parseListQuery } from './dto/list-operations.query';
import { GetOperationQuery } from './queries/get-operation.query';
import { ListOperationsQuery } from './queries/list-operations.query';

const MAX_IDEMPOTENCY_KEY = 128;

@ApiTags('operations')
@ApiBearerAuth()
@Controller('api/operations')
export class OperationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a generation; its events stream from links.events' })
  @ApiHeader({ name: 'Idempotency-Key', required: false, description: 'A repeat with the same key returns the original operation' })
  start(
    @CurrentUser() user: AuthenticatedUser,
    @Body() body: CreateOperationDto,
    @Headers('idempotency-key') idempotencyKey: string | undefined,
  ): Promise<OperationAccepted> {
    if (idempotencyKey !== undefined && (idempotencyKey.length === 0 || idempotencyKey.length > MAX_IDEMPOTENCY_KEY)) {
      throw new ApiError(400, 'INVALID_IDEMPOTENCY_KEY', 'Idempotency-Key must be 1–128 characters');
    }
    return this.commands.execute(new StartOperationCommand(user.userId, body, idempotencyKey ?? null));
  }

  @Get()
  @ApiOperation({ summary: "The caller's operations, newest first, with a cursor" })
  list(@CurrentUser() user: AuthenticatedUser, @Query() query: Record<string, unknown>): Promise<OperationList> {
    return this.queries.execute(new ListOperationsQuery(user.userId, parseListQuery(query)));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Status, progress and result: the polling fallback' })
  get(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<Operation> {
    return this.queries.execute(new GetOperationQuery(user.userId, parseOperationId(id)));
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel: a queued job leaves the queue, a running one stops within a second' })
  async cancel(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<{ id: string; cancelRequested: true }> {
    const operationId = parseOperationId(id);
    await this.commands.execute(new CancelOperationCommand(user.userId, operationId));
    return { id: operationId, cancelRequested: true };
  }
}
