import { InitialSchema1700000000000 } from './1700000000000-initial-schema';
import { EventWriterMarks1763700000000 } from './1763700000000-event-writer-marks';

/** Listed explicitly (not globbed) so the same list works from ts-jest, dist/ and the CLI. */
export const MIGRATIONS = [InitialSchema1700000000000, EventWriterMarks1763700000000];
