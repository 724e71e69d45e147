import { execFile } from 'node:child_process';
import { promisify } from 'node:util';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { ModuleKind, transpileModule } from 'typescript';

/** The module under test as CommonJS, for a bare `node -e` (no TypeScript loader to start). */
const pretenuringModule = transpileModule(readFileSync(join(__dirname, '../../src/v8-pretenuring.ts'), 'utf8'), {
  compilerOptions: { module: ModuleKind.CommonJS },
}).outputText;

/**
 * How many young-generation collections a fresh process needs to allocate three million small
 * objects that all stay alive, after calling `disableAllocationSitePretenuring` or not. With
 * pretenuring, V8 soon allocates them straight in the old generation and the young one fills
 * rarely; without it, every object is allocated young and copied out.
 */
async function youngCollectionsFor(disable: boolean): Promise<number> {
  const script = `
    const pretenuring = { exports: {} };
    new Function('exports', 'require', ${JSON.stringify(pretenuringModule)})(pretenuring.exports, require);
    if (${disable}) pretenuring.exports.disableAllocationSitePretenuring();
    const make = (i) => ({ id: i, fields: [i] });
    const kept = [];
    for (let i = 0; i < 3e6; i += 1) kept.push(make(i));
  `;
  // V8 prints a line per collection; a young-generation one is a "Scavenge".
  const { stdout } = await promisify(execFile)(process.execPath, ['--trace-gc', '-e', script], { encoding: 'utf8', maxBuffer: 16 * 1024 * 1024 });
  return stdout.split('\n').filter((line) => line.includes(': Scavenge ')).length;
}

describe('disableAllocationSitePretenuring', () => {
  it('takes effect when called in a running process: objects that stay alive are all allocated young', async () => {
    const [withPretenuring, without] = await Promise.all([youngCollectionsFor(false), youngCollectionsFor(true)]);
    expect(withPretenuring).toBeGreaterThan(0);
    expect(without).toBeGreaterThan(2 * withPretenuring);
  });
});
