import { Controller, Get, INestApplication, Module, Query, Req, Res } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { ExpressAdapter } from '@nestjs/platform-express';
import type { Request, Response } from 'express';
import { AddressInfo, connect } from 'node:net';
import { setFlagsFromString } from 'node:v8';
import request from 'supertest';
import { HeraldExpressAdapter } from './express-adapter';

// V8's own check of whether two objects share a hidden class; the syntax is
// accepted once the flag is set, for functions compiled afterwards.
setFlagsFromString('--allow-natives-syntax');
const haveSameMap = new Function('a', 'b', 'return %HaveSameMap(a, b)') as (a: object, b: object) => boolean;

const seen: { req: Request; res: Response }[] = [];

@Controller()
class ProbeController {
  @Get('probe')
  probe(@Query('q') q: string | undefined, @Req() req: Request, @Res() res: Response): void {
    seen.push({ req, res });
    res.status(201).json({ q: q ?? null, host: req.get('host') !== undefined, ownApp: req.app === res.app });
  }

  @Get('endless')
  endless(@Res() res: Response): void {
    res.writeHead(200, { 'Content-Type': 'text/event-stream' });
    res.write(': open\n\n');
  }
}

@Module({ controllers: [ProbeController] })
class ProbeModule {}

async function boot(adapter: ExpressAdapter): Promise<INestApplication> {
  const app = await NestFactory.create(ProbeModule, adapter, { logger: false, forceCloseConnections: true });
  await app.listen(0, '127.0.0.1');
  return app;
}

describe('HeraldExpressAdapter', () => {
  beforeEach(() => (seen.length = 0));

  it('serves Express requests and responses as usual', async () => {
    const app = await boot(new HeraldExpressAdapter());
    try {
      const response = await request(app.getHttpServer()).get('/probe?q=x').expect(201);
      expect(response.body).toEqual({ q: 'x', host: true, ownApp: true });
      const [{ req, res }] = seen;
      const express = app.getHttpAdapter().getInstance();
      expect(Object.getPrototypeOf(req)).toBe(express.request);
      expect(Object.getPrototypeOf(res)).toBe(express.response);
    } finally {
      await app.close();
    }
  });

  it('lets requests and responses share their hidden classes, which Express alone does not', async () => {
    const hiddenClassesShared = async (adapter: ExpressAdapter) => {
      const app = await boot(adapter);
      try {
        for (let i = 0; i < 3; i++) await request(app.getHttpServer()).get('/probe').expect(201);
        const [, second, third] = seen.splice(0);
        return haveSameMap(second.req, third.req) && haveSameMap(second.res, third.res);
      } finally {
        await app.close();
      }
    };
    expect(await hiddenClassesShared(new ExpressAdapter())).toBe(false);
    expect(await hiddenClassesShared(new HeraldExpressAdapter())).toBe(true);
  });

  it('closes open connections on close when forceCloseConnections is set', async () => {
    const app = await boot(new HeraldExpressAdapter());
    const { port } = app.getHttpServer().address() as AddressInfo;
    const socket = connect(port, '127.0.0.1');
    const closed = new Promise<void>((resolve) => socket.on('close', () => resolve()));
    const opened = new Promise<void>((resolve) => socket.once('data', () => resolve()));
    socket.write('GET /endless HTTP/1.1\r\nHost: herald.test\r\n\r\n');
    await opened;
    await app.close();
    await closed;
  });
});
