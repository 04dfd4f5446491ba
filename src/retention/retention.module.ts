import { Module } from '@nestjs/common';
import { RetentionScheduler } from './retention-scheduler';
import { RetentionSweeper } from './retention-sweeper';

/** Part of the worker role: deletes expired events on a schedule. */
@Module({ providers: [RetentionSweeper, RetentionScheduler], exports: [RetentionSweeper] })
export class RetentionModule {}
