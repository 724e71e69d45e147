import { readdirSync, readFileSync } from 'node:fs';
import { dirname, join, relative, resolve, sep } from 'node:path';
import { REPOSITORY_ROOT, sourceFilesUnder } from '../support/source-files';

const SRC = join(REPOSITORY_ROOT, 'src');

/**
 * What each folder of src/ may import from the others: dependencies run one way, down this
 * list, and a folder imports only what is named here. The entry points and the app's
 * composition (the files directly in src/) may import anything.
 */
const MAY_IMPORT: Record<string, readonly string[]> = {
  config: [],
  common: [],
  logging: ['config'],
  metrics: ['config'],
  organizations: ['common'],
  'rate-limits': ['common', 'config', 'metrics'],
  auth: ['common', 'config', 'metrics', 'organizations', 'rate-limits'],
  audit: ['common', 'config', 'metrics', 'auth'],
  partner: ['common', 'auth', 'audit', 'metrics', 'organizations'],
  encounters: ['common', 'audit', 'partner', 'organizations'],
  recordings: ['common', 'config', 'auth', 'audit', 'partner', 'encounters'],
  webhooks: ['common', 'config', 'metrics', 'organizations', 'partner', 'encounters'],
  health: ['common', 'config', 'database'],
  observability: ['common', 'logging', 'metrics', 'auth', 'audit', 'partner'],
  openapi: ['common', 'partner', 'webhooks'],
  database: ['common', 'config', 'metrics', 'organizations', 'auth', 'partner', 'encounters', 'recordings', 'webhooks'],
  fixtures: ['common', 'config', 'organizations', 'auth', 'partner', 'encounters', 'recordings', 'webhooks'],
  cli: ['common', 'config', 'metrics', 'database', 'organizations', 'auth', 'audit', 'partner', 'encounters', 'recordings', 'webhooks', 'fixtures'],
};

/** The folder of src/ a file belongs to, or null for a file directly in src/. */
function folderOf(path: string): string | null {
  const parts = relative(SRC, path).split(sep);
  return parts.length > 1 ? parts[0] : null;
}

/** `from`-folder → `to`-folder for every relative import (static or dynamic) between two folders. */
function importsBetweenFolders(): { file: string; from: string; to: string }[] {
  return sourceFilesUnder('src').flatMap((path) => {
    const file = join(REPOSITORY_ROOT, path);
    const from = folderOf(file);
    if (from === null) return [];
    const specifiers = [...readFileSync(file, 'utf8').matchAll(/(?:from|import)\s*\(?\s*'(\.[^']*)'/g)].map((match) => match[1]);
    return specifiers.map((specifier) => ({ file: relative(SRC, file), from, to: folderOf(resolve(dirname(file), specifier)) ?? '(src/)' })).filter(({ to }) => to !== from);
  });
}

describe('module boundaries', () => {
  it('names every folder of src/', () => {
    const folders = readdirSync(SRC, { withFileTypes: true })
      .filter((entry) => entry.isDirectory())
      .map((entry) => entry.name);
    expect(folders.sort()).toEqual(Object.keys(MAY_IMPORT).sort());
  });

  it('are one-way: no folder depends on itself through others', () => {
    const visiting = new Set<string>();
    const visit = (folder: string, path: string[]): void => {
      if (visiting.has(folder)) throw new Error(`dependency cycle: ${[...path, folder].join(' → ')}`);
      visiting.add(folder);
      for (const next of MAY_IMPORT[folder]) visit(next, [...path, folder]);
      visiting.delete(folder);
    };
    for (const folder of Object.keys(MAY_IMPORT)) visit(folder, []);
  });

  it('hold in the code: every import between folders is one the table allows', () => {
    const imports = importsBetweenFolders();
    expect(imports.length).toBeGreaterThan(0);
    const forbidden = imports.filter(({ from, to }) => !MAY_IMPORT[from].includes(to)).map(({ file, to }) => `${file} imports from ${to}/`);
    expect(forbidden).toEqual([]);
  });
});
