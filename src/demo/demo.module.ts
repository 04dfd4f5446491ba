import { Module } from '@nestjs/common';
import { DemoController } from './demo.controller';

/** The demo page at `/` and its bundled script and styles. */
@Module({ controllers: [DemoController] })
export class DemoModule {}
