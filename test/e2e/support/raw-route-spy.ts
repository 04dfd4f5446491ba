import type { IncomingMessage } from 'node:http';
import type { Type } from '@nestjs/common';
import type { RawRoute } from '../../../src/bootstrap/raw-route';
import type { BootedApp } from './boot-app';

/**
 * Which way each request a raw route was offered went: true where the raw
 * route took it, false where it left it to Express. Counts only the requests
 * `counts` picks, in the order they came, and forgets them once read.
 */
export function watchRawRoute(
  herald: () => BootedApp,
  route: Type<RawRoute>,
  counts: (request: IncomingMessage) => boolean,
): () => boolean[] {
  let take: jest.SpyInstance<boolean, Parameters<RawRoute['take']>>;
  beforeAll(() => {
    take = jest.spyOn(herald().app.get(route), 'take');
  });
  afterAll(() => take.mockRestore());
  return () => {
    const taken = take.mock.calls.flatMap(([request], i) => (counts(request) ? [take.mock.results[i].value as boolean] : []));
    take.mockClear();
    return taken;
  };
}
