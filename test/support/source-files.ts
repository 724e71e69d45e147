import { readdirSync } from 'node:fs';
import { join, resolve } from 'node:path';

/** The repository's root directory. */
export const REPOSITORY_ROOT = resolve(__dirname, '../..');

/** Every TypeScript and JavaScript file below `directory` (relative to the root), as paths relative to the root. */
export function sourceFilesUnder(directory: string): string[] {
  return readdirSync(join(REPOSITORY_ROOT, directory), { withFileTypes: true }).flatMap((entry) => {
    const path = `${directory}/${entry.name}`;
    return entry.isDirectory() ? sourceFilesUnder(path) : /\.(ts|js)$/.test(entry.name) ? [path] : [];
  });
}
