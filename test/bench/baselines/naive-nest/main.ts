import 'reflect-metadata';
import { Module } from '@nestjs/common';
import { NestFactory } from '@nestjs/core';
import { NaiveController } from './naive.controller';

// Peer baseline: a plain NestJS 11 app with @Sse (see naive.controller.ts).
// GET /stream?user=<id>, POST /publish {userId, type, data} → 201.

@Module({ controllers: [NaiveController] })
class NaiveModule {}

async function main(): Promise<void> {
  const app = await NestFactory.create(NaiveModule, { logger: ['error', 'warn'] });
  await app.listen(Number(process.env.PORT ?? 3200), '127.0.0.1');
}

void main();
