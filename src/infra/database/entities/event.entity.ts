import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('herald_events')
export class EventEntity {
  @PrimaryColumn('text', { name: 'user_id' }) userId: string;
  @PrimaryColumn('bigint') id: string;
  @Column('text') type: string;
  @Column('uuid', { name: 'operation_id', nullable: true }) operationId: string | null;
  @Column('text', { name: 'workflow_id', nullable: true }) workflowId: string | null;
  @Column('text', { name: 'agent_id', nullable: true }) agentId: string | null;
  @Column('text') data: unknown;
  @Column('timestamptz', { name: 'created_at', default: () => 'now()' }) createdAt: Date;
  @Column('timestamptz', { name: 'expires_at' }) expiresAt: Date;
}
