import { SetMetadata } from '@nestjs/common';

export const REQUIRED_SCOPES_KEY = 'herald:requiredScopes';

/** The token must carry every listed scope, e.g. `@RequireScope('events:publish')`. */
export const RequireScope = (...scopes: string[]) => SetMetadata(REQUIRED_SCOPES_KEY, scopes);
