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
