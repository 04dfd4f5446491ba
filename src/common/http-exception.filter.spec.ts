import { Body, Controller, Get, INestApplication, Module, NotFoundException, Post, Res } from '@nestjs/common';
import { APP_FILTER, APP_PIPE } from '@nestjs/core';
import { NestExpressApplication } from '@nestjs/platform-express';
import { Test } from '@nestjs/testing';
import { Type } from 'class-transformer';
import { IsInt, IsString, Max, MinLength, ValidateNested } from 'class-validator';
import type { Response } from 'express';
import request from 'supertest';
import { ApiError } from './api-error';
import { forwardBodyParserErrors } from './body-parser-errors';
import { HttpExceptionFilter } from './http-exception.filter';
import { createValidationPipe } from './validation';

class StageDto {
  @IsString()
  @MinLength(1)
  name: string;
}

class InputDto {
  @IsString()
  prompt: string;

  @IsInt()
  @Max(4096)
  maxTokens: number;

  @ValidateNested({ each: true })
  @Type(() => StageDto)
  stages: StageDto[];
}

class StartDto {
  @IsString()
  kind: string;

  @ValidateNested()
  @Type(() => InputDto)
  input: InputDto;
}

@Controller()
class ProbeController {
  @Get('missing')
  missing() {
    throw new NotFoundException('operation not found');
  }

  @Get('busy')
  busy() {
    throw new ApiError(429, 'TOO_MANY_OPERATIONS', 'too many active operations', { 'Retry-After': '5' });
  }

  @Get('crash')
  crash() {
    throw new Error('connection to postgres://admin:hunter2@db failed');
  }

  @Get('stream')
  stream(@Res() response: Response) {
    response.writeHead(200, { 'Content-Type': 'text/event-stream' });
    response.write(': open\n\n');
    throw new Error('stream broke');
  }

  @Post('start')
  start(@Body() body: StartDto) {
    return { kind: body.kind };
  }
}

@Module({
  controllers: [ProbeController],
  providers: [
    { provide: APP_FILTER, useClass: HttpExceptionFilter },
    { provide: APP_PIPE, useFactory: createValidationPipe },
  ],
})
class ProbeModule {}

const BODY_LIMIT = 256 * 1024;
const validBody = { kind: 'text-generation', input: { prompt: 'hi', maxTokens: 5, stages: [{ name: 'a' }] } };

describe('HttpExceptionFilter', () => {
  let app: INestApplication;

  beforeAll(async () => {
    const moduleRef = await Test.createTestingModule({ imports: [ProbeModule] }).compile();
    const expressApp = moduleRef.createNestApplication<NestExpressApplication>({ logger: false, bodyParser: false });
    expressApp.useBodyParser('json', { limit: BODY_LIMIT });
    expressApp.use(forwardBodyParserErrors);
    app = await expressApp.init();
  });
  afterAll(() => app.close());

  const http = () => request(app.getHttpServer());

  it('shapes an HttpException with a code derived from the status', async () => {
    const response = await http().get('/missing').expect(404);
    expect(response.body).toEqual({ statusCode: 404, error: 'Not Found', message: 'operation not found', code: 'NOT_FOUND' });
  });

  it('shapes an unknown route the same way', async () => {
    const response = await http().get('/nowhere').expect(404);
    expect(response.body).toMatchObject({ statusCode: 404, error: 'Not Found', code: 'NOT_FOUND' });
  });

  it('keeps the code and headers of an ApiError', async () => {
    const response = await http().get('/busy').expect(429);
    expect(response.headers['retry-after']).toBe('5');
    expect(response.body).toEqual({
      statusCode: 429,
      error: 'Too Many Requests',
      message: 'too many active operations',
      code: 'TOO_MANY_OPERATIONS',
    });
  });

  it('answers an unexpected error with a generic 500 that reveals nothing', async () => {
    const response = await http().get('/crash').expect(500);
    expect(response.body).toEqual({
      statusCode: 500,
      error: 'Internal Server Error',
      message: 'internal server error',
      code: 'INTERNAL_ERROR',
    });
  });

  it('ends a response whose headers were already sent, keeping what was written', async () => {
    const response = await http()
      .get('/stream')
      .buffer(true)
      .parse((res, done) => {
        let text = '';
        res.on('data', (chunk: Buffer) => (text += chunk.toString()));
        res.on('end', () => done(null, text));
      });
    expect(response.status).toBe(200);
    expect(response.body).toBe(': open\n\n');
  });

  it('accepts a valid body', async () => {
    await http().post('/start').send(validBody).expect(201, { kind: 'text-generation' });
  });

  it('answers invalid JSON with 400 INVALID_JSON', async () => {
    const response = await http().post('/start').set('Content-Type', 'application/json').send('{"kind": ').expect(400);
    expect(response.body).toEqual({
      statusCode: 400,
      error: 'Bad Request',
      message: 'request body is not valid JSON',
      code: 'INVALID_JSON',
    });
  });

  it('answers a body over the limit with 413 PAYLOAD_TOO_LARGE', async () => {
    const huge = { ...validBody, input: { ...validBody.input, prompt: 'x'.repeat(BODY_LIMIT) } };
    const response = await http().post('/start').send(huge).expect(413);
    expect(response.body).toEqual({
      statusCode: 413,
      error: 'Payload Too Large',
      message: `request body is larger than ${BODY_LIMIT} bytes`,
      code: 'PAYLOAD_TOO_LARGE',
    });
  });

  it('refuses unknown fields, naming them', async () => {
    const response = await http()
      .post('/start')
      .send({ ...validBody, extra: 1, input: { ...validBody.input, sneaky: true } })
      .expect(400);
    expect(response.body.code).toBe('VALIDATION_FAILED');
    expect(response.body.message).toContain('property extra should not exist');
    expect(response.body.message).toContain('input.sneaky: property sneaky should not exist');
  });

  it('lists every nested problem with its full path, joined by "; "', async () => {
    const body = { kind: 7, input: { prompt: 'hi', maxTokens: 5000, stages: [{ name: 'ok' }, { name: '' }] } };
    const response = await http().post('/start').send(body).expect(400);
    expect(response.body).toMatchObject({ statusCode: 400, error: 'Bad Request', code: 'VALIDATION_FAILED' });
    expect(response.body.message.split('; ')).toEqual([
      'kind must be a string',
      'input.maxTokens: maxTokens must not be greater than 4096',
      'input.stages.1.name: name must be longer than or equal to 1 characters',
    ]);
  });
});
