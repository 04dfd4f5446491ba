import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('herald_user_event_counters')
export class UserEventCounterEntity {
  @PrimaryColumn('text', { name: 'user_id' }) userId: string;
  @Column('bigint', { name: 'last_id', default: 0 }) lastId: string;
}

/** Highest id retention has deleted for a user: a resume from below it has lost events. */
@Entity('herald_user_purges')
export class UserPurgeEntity {
  @PrimaryColumn('text', { name: 'user_id' }) userId: string;
  @Column('bigint', { name: 'purged_through' }) purgedThrough: string;
}

/** An event writer's last single-statement batch: how it learns whether a batch whose answer was lost committed. */
@Entity('herald_event_writer_marks')
export class EventWriterMarkEntity {
  @PrimaryColumn('uuid', { name: 'writer_id' }) writerId: string;
  @Column('bigint', { name: 'batch' }) batch: string;
  @Column('bigint', { name: 'first_ids', array: true }) firstIds: string[];
  @Column('timestamptz', { name: 'written_at' }) writtenAt: Date;
}
