import { Injectable } from '@nestjs/common';
import type { Request, Response } from 'express';
import { AuthenticatedUser } from '../auth/authenticated-user';
import { ApiError } from '../common/api-error';
import { parseOperationId, parseTagId } from '../common/ids';
import { EventStreamService } from './event-stream.service';
import { OperationLookup } from './operation-lookup';
import { parseStreamQuery } from './stream-query';

export type StreamViewName = 'user' | 'operation' | 'workflow' | 'agent';

/** What a stream request asks for, as its URL and headers give it. */
export interface StreamRequest {
  view: StreamViewName;
  /** The path's id: an operation id, a workflowId or an agentId; none for the user view. */
  id?: string;
  query: Record<string, unknown>;
  lastEventIdHeader: string | undefined;
}

/**
 * Turns a stream request into the view it names and opens it: the id and the
 * query checked in the documented order (path, then query, then the
 * operation's owner). One place for both ways in, EventStreamController and
 * the raw stream route, so they answer alike.
 */
@Injectable()
export class StreamViews {
  constructor(
    private readonly streams: EventStreamService,
    private readonly operations: OperationLookup,
  ) {}

  async open(req: Request, res: Response, user: AuthenticatedUser, request: StreamRequest): Promise<void> {
    const { view, id = '', query, lastEventIdHeader } = request;
    switch (view) {
      case 'user':
        return this.streams.open(req, res, user, { name: 'user', filter: {} }, parseStreamQuery(query, lastEventIdHeader));
      case 'operation': {
        const operationId = parseOperationId(id);
        const parsed = parseStreamQuery(query, lastEventIdHeader);
        const operation = await this.operations.findOwned(user.userId, operationId);
        if (!operation) throw new ApiError(404, 'NOT_FOUND', 'operation not found');
        return this.streams.open(req, res, user, { name: 'operation', filter: { operationId }, operation }, parsed);
      }
      case 'workflow': {
        const filter = { workflowId: parseTagId(id, 'workflowId') };
        return this.streams.open(req, res, user, { name: 'workflow', filter }, parseStreamQuery(query, lastEventIdHeader));
      }
      case 'agent': {
        const filter = { agentId: parseTagId(id, 'agentId') };
        return this.streams.open(req, res, user, { name: 'agent', filter }, parseStreamQuery(query, lastEventIdHeader));
      }
    }
  }
}
