import { mkdtemp, readdir, readFile, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import * as path from 'node:path';
import { DATA_DIR_FORMAT, DataDirError, prepareDataDir } from './data-dir';

describe('prepareDataDir', () => {
  let dir: string;
  beforeEach(async () => {
    dir = await mkdtemp(path.join(tmpdir(), 'herald-dd-'));
  });

  it('marks a new directory with the current format', async () => {
    await prepareDataDir(path.join(dir, 'new'), '1.2.3');
    const marker = JSON.parse(await readFile(path.join(dir, 'new', 'herald-data.json'), 'utf8'));
    expect(marker).toEqual({ format: DATA_DIR_FORMAT, createdBy: '1.2.3' });
  });

  it('refuses a directory from an incompatible version, naming it, and deletes nothing', async () => {
    await writeFile(path.join(dir, 'herald-data.json'), JSON.stringify({ format: 99, createdBy: '9.0.0' }));
    await writeFile(path.join(dir, 'precious'), 'x');
    await expect(prepareDataDir(dir, '1.0.0')).rejects.toThrow(DataDirError);
    await expect(prepareDataDir(dir, '1.0.0')).rejects.toThrow(dir);
    expect((await readdir(dir)).sort()).toEqual(['herald-data.json', 'precious']);
  });

  it('explains a directory that cannot be created, naming the path', async () => {
    // A regular file in the way fails for root too, unlike permission bits.
    await writeFile(path.join(dir, 'file'), 'x');
    const target = path.join(dir, 'file', 'data');
    await expect(prepareDataDir(target, '1.0.0')).rejects.toThrow(`${target} is not writable`);
  });
});
