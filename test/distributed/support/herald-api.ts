import type { Operation, OperationAccepted, PublishEventRequest, StartOperationRequest } from '@herald/contracts';

/** The REST calls the distributed tests make, against one API process, as one token. */
export class HeraldApi {
  constructor(
    readonly baseUrl: string,
    private readonly token: string,
  ) {}

  startOperation(body: StartOperationRequest): Promise<OperationAccepted> {
    return this.call('POST', '/api/operations', body, 202);
  }

  getOperation(id: string): Promise<Operation> {
    return this.call('GET', `/api/operations/${id}`, undefined, 200);
  }

  cancel(id: string): Promise<unknown> {
    return this.call('POST', `/api/operations/${id}/cancel`, undefined, 202);
  }

  async publish(body: PublishEventRequest): Promise<string> {
    const { id } = await this.call<{ id: string }>('POST', '/api/events', body, 201);
    return id;
  }

  private async call<T>(method: string, path: string, body: unknown, expected: number): Promise<T> {
    const res = await fetch(`${this.baseUrl}${path}`, {
      method,
      headers: {
        Authorization: `Bearer ${this.token}`,
        ...(body === undefined ? {} : { 'Content-Type': 'application/json' }),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (res.status !== expected) throw new Error(`${method} ${this.baseUrl}${path}: HTTP ${res.status} ${text}`);
    return JSON.parse(text) as T;
  }
}
