import { Column, Entity, PrimaryColumn } from 'typeorm';

/** Per-type retention set by operators at run time; overrides RETENTION_<TYPE>. */
@Entity('herald_retention_policies')
export class RetentionPolicyEntity {
  @PrimaryColumn('text') type: string;
  @Column('bigint', { name: 'retention_ms' }) retentionMs: string;
}
