import { Column, Entity, PrimaryColumn } from 'typeorm';

@Entity('herald_user_event_counters')
export class UserEventCounterEntity {
  @PrimaryColumn('text', { name: 'user_id' }) userId: string;
  @Column('bigint', { name: 'last_id', default: 0 }) lastId: string;
  /** Highest id retention has deleted for this user: a resume from below it has lost events. */
  @Column('bigint', { name: 'purged_through', default: 0 }) purgedThrough: string;
}
