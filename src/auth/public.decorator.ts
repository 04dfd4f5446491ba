import { SetMetadata } from '@nestjs/common';

export const IS_PUBLIC_KEY = 'herald:isPublic';

/** Opts a route or controller out of the global JWT guard (health, metrics, the demo page). */
export const Public = () => SetMetadata(IS_PUBLIC_KEY, true);
