import { EventEntity } from './event.entity';
import { OperationEntity } from './operation.entity';
import { RetentionPolicyEntity } from './retention-policy.entity';
import { EventWriterMarkEntity, UserEventCounterEntity, UserPurgeEntity } from './user-event-counter.entity';

export const ENTITIES = [OperationEntity, EventEntity, UserEventCounterEntity, RetentionPolicyEntity, UserPurgeEntity, EventWriterMarkEntity];
