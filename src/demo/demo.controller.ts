import { Controller, Get, Param, Res } from '@nestjs/common';
import { ApiExcludeController } from '@nestjs/swagger';
import type { Response } from 'express';
import { existsSync } from 'node:fs';
import { join } from 'node:path';
import { Public } from '../auth/public.decorator';
import { ApiError } from '../common/api-error';
import { demoBuildDir, DEMO_FILES } from './demo-assets';

// The page loads only its own bundle and talks only to this origin. The token
// arrives in the query string, so no Referer may carry the URL elsewhere.
const PAGE_HEADERS = {
  'Content-Security-Policy':
    "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; " +
    "object-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'",
  'Referrer-Policy': 'no-referrer',
  'X-Content-Type-Options': 'nosniff',
  // Revalidated on every load (ETag), so a rebuild is picked up at once.
  'Cache-Control': 'no-cache',
};

/** GET / — the writing-assistant demo (SPEC §6), served from the bundle `npm run build` writes to dist/demo. */
@ApiExcludeController()
@Public()
@Controller()
export class DemoController {
  private readonly dir = demoBuildDir();

  @Get()
  page(@Res() res: Response): void {
    this.send(res, 'index.html');
  }

  @Get('demo/:file')
  asset(@Param('file') file: string, @Res() res: Response): void {
    if (!Object.hasOwn(DEMO_FILES, file) || file === 'index.html') throw new ApiError(404, 'NOT_FOUND', 'no such file');
    this.send(res, file);
  }

  private send(res: Response, file: string): void {
    const path = join(this.dir, file);
    if (!existsSync(path)) {
      throw new ApiError(503, 'DEMO_NOT_BUILT', 'the demo page is not built yet: run `npm run build`');
    }
    res.sendFile(path, { headers: { ...PAGE_HEADERS, 'Content-Type': DEMO_FILES[file] } });
  }
}
