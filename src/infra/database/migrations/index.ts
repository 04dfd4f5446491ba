import { InitialSchema1700000000000 } from './1700000000000-initial-schema';

/** Listed explicitly (not globbed) so the same list works from ts-jest, dist/ and the CLI. */
export const MIGRATIONS = [InitialSchema1700000000000];
