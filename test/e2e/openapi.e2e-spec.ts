import { randomUUID } from 'node:crypto';
import SwaggerParser from '@apidevtools/swagger-parser';
import Ajv from 'ajv';
import { RequestMethod, Type } from '@nestjs/common';
import { METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants';
import { ModulesContainer } from '@nestjs/core';
import type { NestExpressApplication } from '@nestjs/platform-express';
import type { OpenAPIV3 } from 'openapi-types';
import request from 'supertest';
import { openRawStream } from '../support/raw-stream';
import { KNOWN_EVENT_TYPES } from '../support/sse-client';
import { ApiClient, LONG_RUNNING, publish, publisher, textGeneration } from './support/api-client';
import { useHerald } from './support/boot-app';
import { field, parseFrames } from './support/sse-frames';

// SPEC §3: the OpenAPI document at /api/docs-json. It must be a valid OpenAPI 3
// document (checked by a real validator), describe exactly the API routes the
// application serves — not its probes, metrics or demo page — give each a
// summary, its success answer and its error answers, describe the SSE views as
// text/event-stream with every event type and the envelope, and say what the
// routes really answer: real answers are checked against the documented schemas.

/** SPEC §3 and §5: the API a client programs against. */
const API_ROUTES = [
  'POST /api/operations',
  'GET /api/operations',
  'GET /api/operations/{id}',
  'POST /api/operations/{id}/cancel',
  'GET /api/events/stream',
  'GET /api/events/operations/{id}',
  'GET /api/events/workflows/{id}',
  'GET /api/events/agents/{id}',
  'GET /api/events',
  'POST /api/events',
];
const SSE_ROUTES = API_ROUTES.filter((r) => /^GET \/api\/events\/(stream|operations|workflows|agents)/.test(r));
/** Served, but not API: probes and metrics for operators, the demo page for people. */
const NOT_DOCUMENTED = ['GET /health/live', 'GET /health/ready', 'GET /metrics', 'GET /', 'GET /demo/{file}'];
/** Every event name SPEC §3 lists for a stream (custom a.b names come on top); `message` is EventSource's own. */
const STREAM_EVENT_TYPES: string[] = KNOWN_EVENT_TYPES.filter((type) => type !== 'message');
const ENVELOPE_FIELDS = ['id', 'type', 'v', 'ts', 'operationId', 'workflowId', 'agentId', 'data'];
const ERROR_FIELDS = ['statusCode', 'error', 'message', 'code'];

type Schema = OpenAPIV3.SchemaObject;
const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const;

/** `GET /api/operations/{id}` for every route of every controller the application registered, in OpenAPI's path syntax. */
function controllerRoutes(app: NestExpressApplication): string[] {
  const routes: string[] = [];
  for (const module of app.get(ModulesContainer).values()) {
    for (const { metatype } of module.controllers.values()) {
      if (!metatype) continue;
      const base = Reflect.getMetadata(PATH_METADATA, metatype) as string;
      const prototype = (metatype as Type).prototype;
      for (const name of Object.getOwnPropertyNames(prototype).filter((n) => n !== 'constructor')) {
        const path = Reflect.getMetadata(PATH_METADATA, prototype[name]) as string | undefined;
        if (path === undefined) continue;
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, prototype[name]) as RequestMethod];
        const full = `/${base}/${path}`.replace(/\/+/g, '/').replace(/(.)\/$/, '$1').replace(/:(\w+)/g, '{$1}');
        routes.push(`${method} ${full}`);
      }
    }
  }
  return routes;
}

function documentedRoutes(document: OpenAPIV3.Document): string[] {
  return Object.entries(document.paths).flatMap(([path, item]) =>
    METHODS.filter((m) => item?.[m]).map((m) => `${m.toUpperCase()} ${path}`),
  );
}

function operationOf(document: OpenAPIV3.Document, route: string): OpenAPIV3.OperationObject {
  const [method, path] = route.split(' ');
  const op = document.paths[path]?.[method.toLowerCase() as (typeof METHODS)[number]];
  if (!op) throw new Error(`${route} is not in the document`);
  return op;
}

function responseOf(document: OpenAPIV3.Document, route: string, status: number): OpenAPIV3.ResponseObject {
  const response = operationOf(document, route).responses[String(status)];
  if (!response) throw new Error(`${route} documents no ${status} answer`);
  return response as OpenAPIV3.ResponseObject;
}

describe('OpenAPI document (/api/docs-json)', () => {
  const herald = useHerald('embedded');
  let served: OpenAPIV3.Document;
  /** The same document once validated, with every $ref resolved; or why it is invalid. */
  let validated: OpenAPIV3.Document | Error;
  const doc = (): OpenAPIV3.Document => {
    if (validated instanceof Error) throw new Error(`the document is invalid: ${validated.message}`);
    return validated;
  };

  beforeAll(async () => {
    const res = await request(herald().url).get('/api/docs-json');
    expect(res.status).toBe(200);
    served = res.body;
    validated = await SwaggerParser.validate(structuredClone(served)).then(
      (document) => document as OpenAPIV3.Document,
      (error: Error) => error,
    );
  });

  it('is a valid OpenAPI 3 document', () => {
    expect(served.openapi).toMatch(/^3\.0\.\d+$/);
    expect(validated instanceof Error ? validated.message : 'valid').toBe('valid');
  });

  it('documents exactly the API routes the application serves; probes, metrics and the demo page stay out', () => {
    const sorted = (routes: string[]) => [...routes].sort();
    const routes = controllerRoutes(herald().app);

    expect(sorted(routes)).toEqual(sorted([...API_ROUTES, ...NOT_DOCUMENTED]));
    expect(sorted(documentedRoutes(served))).toEqual(sorted(API_ROUTES));
    expect(Object.keys(served.paths).filter((path) => /^\/(health|metrics)\b/.test(path))).toEqual([]);
  });

  describe.each(API_ROUTES)('%s', (route) => {
    it('has a summary, a described success answer and JSON error answers including 401 and 429', () => {
      const op = operationOf(doc(), route);
      const statuses = Object.keys(op.responses).map(Number);
      const errors = statuses.filter((s) => s >= 400);

      expect(op.summary).toMatch(/\S/);
      expect(op.security).toEqual(expect.arrayContaining([{ bearer: [] }, { access_token: [] }]));
      expect(statuses.filter((s) => s >= 200 && s < 300).length).toBeGreaterThan(0);
      expect(errors).toEqual(expect.arrayContaining([401, 429]));
      for (const status of statuses) {
        const response = responseOf(doc(), route, status);
        expect(response.description).toMatch(/\S/);
        if (status === 204) continue;
        expect(response.content).toBeDefined();
      }
      for (const status of errors) {
        const response = responseOf(doc(), route, status);
        expect(Object.keys(response.content!)).toEqual(['application/json']);
        expect((response.content!['application/json'].schema as Schema).required).toEqual(ERROR_FIELDS);
        if (status === 429 || status === 503) expect(response.headers).toHaveProperty('Retry-After');
      }
    });
  });

  describe.each(SSE_ROUTES)('%s', (route) => {
    it('answers text/event-stream: every event type, stored ones framed with the envelope', () => {
      const ok = responseOf(doc(), route, 200);
      expect(Object.keys(ok.content!)).toEqual(['text/event-stream']);
      const stream = ok.content!['text/event-stream'].schema as Schema;
      const frames = ((stream as OpenAPIV3.ArraySchemaObject).items as Schema).oneOf as Schema[];
      const eventOf = (frame: Schema) => frame.properties!.event as Schema;
      const named = frames.flatMap((frame) => (eventOf(frame).enum ?? []) as string[]);
      const custom = frames.filter((frame) => eventOf(frame).pattern);
      const stored = frames.filter((frame) => frame.properties!.id);

      expect([...named].sort()).toEqual([...STREAM_EVENT_TYPES].sort());
      expect(custom).toHaveLength(1);
      const customName = new RegExp(eventOf(custom[0]).pattern!);
      expect(['system.save.completed', 'operation.status', 'stream.ready'].map((n) => customName.test(n))).toEqual([true, false, false]);
      expect(stored.length).toBe(2);
      for (const frame of stored) {
        const envelope = frame.properties!.data as Schema;
        expect(Object.keys(envelope.properties!)).toEqual(ENVELOPE_FIELDS);
        expect(envelope.required).toEqual(ENVELOPE_FIELDS);
      }
      const params = (operationOf(doc(), route).parameters ?? []) as OpenAPIV3.ParameterObject[];
      expect(params.map((p) => `${p.in} ${p.name}`)).toEqual(
        expect.arrayContaining(['header Last-Event-ID', 'query lastEventId', 'query types', 'query heartbeat']),
      );
      expect(ok.description).toMatch(/Last-Event-ID/);
    });
  });

  it('documents the 204 of a resume past the terminal event, and the 404, on the operation view', () => {
    expect(responseOf(doc(), 'GET /api/events/operations/{id}', 204).description).toMatch(/terminal/);
    expect(responseOf(doc(), 'GET /api/events/operations/{id}', 404).description).toMatch(/\S/);
  });

  describe('real answers match the documented schemas', () => {
    const ajv = new Ajv({ strict: false, validateFormats: false, allErrors: true });
    /** Checks `body` against the schema the document gives `route` for `status`. */
    const expectDocumented = (route: string, status: number, body: unknown, mediaType = 'application/json') => {
      const schema = responseOf(doc(), route, status).content![mediaType].schema!;
      const valid = ajv.validate(schema, body);
      expect({ route, status, body, errors: valid ? null : ajv.errorsText(ajv.errors) }).toEqual({
        route,
        status,
        body,
        errors: null,
      });
    };

    it('operations: start, get, list, cancel and their refusals', async () => {
      const alice = new ApiClient(herald());
      const started = await alice.post('/api/operations').send(textGeneration({ workflowId: 'wf-doc', agentId: 'ag-doc' }));
      expectDocumented('POST /api/operations', 202, started.body);
      const finished = await alice.waitForEnd(started.body.id);
      expectDocumented('GET /api/operations/{id}', 200, finished);
      const running = await alice.start({ kind: 'pipeline', input: { stages: [{ name: 'plot', prompt: 'p', ...LONG_RUNNING }] } });
      const progressing = await alice.waitFor(running.id, (op) => op.progress !== null);
      expectDocumented('GET /api/operations/{id}', 200, progressing);
      const list = await alice.get('/api/operations').query({ limit: '1' });
      expect(list.body.nextCursor).not.toBeNull();
      expectDocumented('GET /api/operations', 200, list.body);
      const cancel = await alice.post(`/api/operations/${running.id}/cancel`);
      expectDocumented('POST /api/operations/{id}/cancel', 202, cancel.body);

      const refusals: [string, request.Test, number][] = [
        ['POST /api/operations', alice.post('/api/operations').send({ kind: 'nope' }), 400],
        ['GET /api/operations', alice.get('/api/operations').query({ limit: '0' }), 400],
        ['GET /api/operations/{id}', alice.get('/api/operations/not-a-uuid'), 400],
        ['GET /api/operations/{id}', new ApiClient(herald()).get(`/api/operations/${started.body.id}`), 404],
        ['POST /api/operations/{id}/cancel', alice.post(`/api/operations/${started.body.id}/cancel`), 409],
        ['GET /api/operations', request(herald().url).get('/api/operations'), 401],
      ];
      for (const [route, req, status] of refusals) {
        const res = await req;
        expect(`${route} ${res.status}`).toBe(`${route} ${status}`);
        expectDocumented(route, status, res.body);
      }
    });

    it('events: poll, publish, and every frame of a stream', async () => {
      const bob = new ApiClient(herald());
      const service = publisher(herald());
      const auth = { Authorization: `Bearer ${bob.token}` };
      const op = await bob.run(textGeneration({ workflowId: 'wf-doc' }));
      await publish(service, { userId: bob.userId, type: 'doc.custom', data: { a: 1 } });
      expectDocumented('GET /api/events', 200, (await bob.get('/api/events')).body);
      expectDocumented('GET /api/events', 400, (await bob.get('/api/events').query({ wait: '99' })).body);
      expectDocumented('POST /api/events', 403, (await bob.post('/api/events').send({ userId: 'x', type: 'a.b', data: {} })).body);

      // The finished operation's view replays it and ends; the user view replays it and the
      // custom event, then gets a live-only one; an unknown Last-Event-ID earns a stream.gap.
      const opView = await openRawStream(`${herald().url}/api/events/operations/${op.id}`, auth);
      await opView.ended;
      const userView = await openRawStream(`${herald().url}/api/events/stream?lastEventId=0`, auth);
      await userView.waitFor('event: doc.custom');
      const liveOnly = await service.post('/api/events').send({ userId: bob.userId, type: 'doc.live', data: {}, persistent: false });
      expectDocumented('POST /api/events', 201, liveOnly.body);
      await userView.waitFor('event: doc.live');
      userView.close();
      const gapView = await openRawStream(`${herald().url}/api/events/stream?lastEventId=999999`, auth);
      await gapView.waitFor('event: stream.gap');
      gapView.close();

      const frames = [opView, userView, gapView].flatMap((view) =>
        parseFrames(view.text()).map((frame) => {
          const retry = field(frame, 'retry');
          const id = field(frame, 'id');
          return {
            ...(retry === undefined ? {} : { retry: Number(retry) }),
            ...(id === undefined ? {} : { id }),
            event: field(frame, 'event'),
            data: JSON.parse(field(frame, 'data')!),
          };
        }),
      );
      expect([...new Set(frames.map((f) => f.event))]).toEqual(
        expect.arrayContaining(['stream.ready', 'stream.gap', 'operation.status', 'operation.content', 'operation.completed', 'doc.custom', 'doc.live']),
      );
      for (const frame of frames) expectDocumented('GET /api/events/stream', 200, [frame], 'text/event-stream');
      expectDocumented('GET /api/events/operations/{id}', 404, (await bob.get(`/api/events/operations/${randomUUID()}`)).body);
    });
  });
});
