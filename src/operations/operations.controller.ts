import { Body, Controller, Get, Headers, HttpCode, Param, Post, Query } from '@nestjs/common';
import { CommandBus, QueryBus } from '@nestjs/cqrs';
import { ApiAcceptedResponse, ApiBearerAuth, ApiHeader, ApiOkResponse, ApiOperation, ApiParam, ApiQuery, ApiSecurity, ApiTags } from '@nestjs/swagger';
import { Operation, OperationAccepted, OperationList, OPERATION_STATUSES, TAG_ID_PATTERN } from '@herald/contracts';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { CurrentUser } from '../auth/current-user.decorator';
import { ApiError } from '../common/api-error';
import { parseOperationId } from '../common/ids';
import { ApiErrors, OPERATION_NOT_FOUND } from '../openapi/api-errors';
import { CancelAcceptedDto, OperationAcceptedDto, OperationDto, OperationListDto } from '../openapi/operation.dto';
import { CancelOperationCommand } from './commands/cancel-operation.command';
import { StartOperationCommand } from './commands/start-operation.command';
import { CreateOperationDto } from './dto/create-operation.dto';
import { parseListQuery } from './dto/list-operations.query';
import { GetOperationQuery } from './queries/get-operation.query';
import { ListOperationsQuery } from './queries/list-operations.query';

const MAX_IDEMPOTENCY_KEY = 128;

const OperationIdParam = () => ApiParam({ name: 'id', format: 'uuid', description: 'Operation id' });

@ApiTags('operations')
@ApiBearerAuth()
@ApiSecurity('access_token')
@Controller('api/operations')
export class OperationsController {
  constructor(
    private readonly commands: CommandBus,
    private readonly queries: QueryBus,
  ) {}

  @Post()
  @HttpCode(202)
  @ApiOperation({ summary: 'Start a generation; its events stream from links.events' })
  @ApiHeader({
    name: 'Idempotency-Key',
    required: false,
    description: 'A repeat by the same user with the same key returns the original operation; no second job is enqueued',
    schema: { type: 'string', maxLength: MAX_IDEMPOTENCY_KEY },
  })
  @ApiAcceptedResponse({
    type: OperationAcceptedDto,
    description: 'Stored and queued (status `queued`); an idempotent repeat answers the original operation as it is now',
  })
  @ApiErrors({
    400: 'Invalid body (unknown fields, kind, input for that kind, workflowId/agentId) or Idempotency-Key',
    413: 'Body larger than 256 KiB',
    429: 'MAX_ACTIVE_OPERATIONS_PER_USER operations already queued or running, or the REST rate limit',
  })
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
  @ApiQuery({ name: 'status', required: false, enum: OPERATION_STATUSES })
  @ApiQuery({ name: 'workflowId', required: false, schema: { type: 'string', pattern: TAG_ID_PATTERN.source } })
  @ApiQuery({ name: 'agentId', required: false, schema: { type: 'string', pattern: TAG_ID_PATTERN.source } })
  @ApiQuery({ name: 'limit', required: false, schema: { type: 'integer', minimum: 1, maximum: 100, default: 20 } })
  @ApiQuery({ name: 'cursor', required: false, description: 'nextCursor of the previous page', schema: { type: 'string' } })
  @ApiOkResponse({ type: OperationListDto, description: 'A page of operations' })
  @ApiErrors({ 400: 'Unknown or repeated query parameter, bad status, limit or cursor' })
  list(@CurrentUser() user: AuthenticatedUser, @Query() query: Record<string, unknown>): Promise<OperationList> {
    return this.queries.execute(new ListOperationsQuery(user.userId, parseListQuery(query)));
  }

  @Get(':id')
  @ApiOperation({ summary: 'Status, progress and result: the polling fallback' })
  @OperationIdParam()
  @ApiOkResponse({ type: OperationDto, description: 'The operation as it is now' })
  @ApiErrors({ 400: 'The id is not a UUID', 404: OPERATION_NOT_FOUND })
  get(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<Operation> {
    return this.queries.execute(new GetOperationQuery(user.userId, parseOperationId(id)));
  }

  @Post(':id/cancel')
  @HttpCode(202)
  @ApiOperation({ summary: 'Cancel: a queued job leaves the queue, a running one stops within a second' })
  @OperationIdParam()
  @ApiAcceptedResponse({ type: CancelAcceptedDto, description: 'Cancel requested; repeated, or on a cancelled operation, nothing new happens' })
  @ApiErrors({ 400: 'The id is not a UUID', 404: OPERATION_NOT_FOUND, 409: 'The operation already completed or failed' })
  async cancel(@CurrentUser() user: AuthenticatedUser, @Param('id') id: string): Promise<{ id: string; cancelRequested: true }> {
    const operationId = parseOperationId(id);
    await this.commands.execute(new CancelOperationCommand(user.userId, operationId));
    return { id: operationId, cancelRequested: true };
  }
}
