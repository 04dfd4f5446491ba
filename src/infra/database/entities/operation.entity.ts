import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Schema mirror for TypeORM's migration tooling; feature code reaches rows through SQL ports. */
@Entity('herald_operations')
export class OperationEntity {
  @PrimaryColumn('uuid') id: string;
  @Column('text', { name: 'user_id' }) userId: string;
  @Column('text') kind: string;
  @Column('text') status: string;
  @Column('text', { name: 'workflow_id', nullable: true }) workflowId: string | null;
  @Column('text', { name: 'agent_id', nullable: true }) agentId: string | null;
  @Column('text') input: unknown;
  @Column('text', { nullable: true }) progress: unknown;
  @Column('text', { nullable: true }) result: unknown;
  @Column('text', { nullable: true }) error: unknown;
  @Column('integer', { default: 0 }) attempts: number;
  @Column('text', { name: 'idempotency_key', nullable: true }) idempotencyKey: string | null;
  @Column('timestamptz', { name: 'cancel_requested_at', nullable: true }) cancelRequestedAt: Date | null;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'started_at', nullable: true }) startedAt: Date | null;
  @Column('timestamptz', { name: 'finished_at', nullable: true }) finishedAt: Date | null;
  @Column('bigint', { name: 'last_event_id', nullable: true }) lastEventId: string | null;
  @Column('bigint', { name: 'terminal_event_id', nullable: true }) terminalEventId: string | null;
}
