import { access, constants, mkdir, readFile, writeFile } from 'node:fs/promises';
import * as path from 'node:path';

/**
 * The format of HERALD_DATA_DIR. Bump it when a release changes the layout or
 * the PGlite major version (whose files an older or newer PGlite cannot open).
 */
export const DATA_DIR_FORMAT = 1;
const MARKER = 'herald-data.json';

export class DataDirError extends Error {}

interface Marker {
  format: number;
  createdBy: string;
}

/**
 * Checks the embedded data directory before anything opens it: it must be
 * writable, and if it was written before, by a compatible Herald. Nothing is
 * ever deleted here; the message says what to do instead.
 */
export async function prepareDataDir(dir: string, heraldVersion: string): Promise<void> {
  try {
    await mkdir(dir, { recursive: true });
    await access(dir, constants.W_OK | constants.R_OK);
  } catch (error) {
    throw new DataDirError(
      `The data directory ${dir} is not writable (${(error as NodeJS.ErrnoException).code}). ` +
        'Fix its permissions or point HERALD_DATA_DIR at a writable directory.',
    );
  }
  const file = path.join(dir, MARKER);
  const marker = await readMarker(file);
  if (marker === null) {
    await writeFile(file, `${JSON.stringify({ format: DATA_DIR_FORMAT, createdBy: heraldVersion }, null, 2)}\n`);
    return;
  }
  if (marker.format !== DATA_DIR_FORMAT) {
    throw new DataDirError(
      `The data directory ${dir} was written by Herald ${marker.createdBy} (data format ${marker.format}); ` +
        `this Herald reads format ${DATA_DIR_FORMAT}. Start the version that wrote it, ` +
        'or move the directory aside (nothing was deleted) or set HERALD_DATA_DIR to a new directory.',
    );
  }
}

async function readMarker(file: string): Promise<Marker | null> {
  let text: string;
  try {
    text = await readFile(file, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw new DataDirError(`cannot read ${file}: ${(error as Error).message}`);
  }
  try {
    const parsed = JSON.parse(text) as Marker;
    if (typeof parsed.format !== 'number') throw new Error('no format');
    return parsed;
  } catch {
    throw new DataDirError(`${file} is not a Herald data marker; set HERALD_DATA_DIR to a directory Herald owns.`);
  }
}
