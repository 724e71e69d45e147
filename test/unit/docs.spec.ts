import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { REASON_CODES } from '../../src/common/reason-codes';

const ROOT = resolve(__dirname, '../..');
const GUIDES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];

/** Every source file of the code, the tests and the bench, relative to the root. */
function sourceFiles(directory: string): string[] {
  return readdirSync(join(ROOT, directory), { withFileTypes: true }).flatMap((entry) => {
    const path = `${directory}/${entry.name}`;
    return entry.isDirectory() ? sourceFiles(path) : /\.(ts|js)$/.test(entry.name) ? [path] : [];
  });
}
const SOURCES = ['src', 'test', 'bench'].flatMap(sourceFiles);

/** The headings of a markdown file, without their #s. */
function headingsOf(guide: string): string[] {
  return [...readFileSync(join(ROOT, guide), 'utf8').matchAll(/^#+ (.+)$/gm)].map(([, heading]) => heading.trim());
}

/** `| 404 | \`route_not_found\` | … |` rows of the partner guide: code → status. */
function reasonCodeTable(markdown: string): Record<string, number> {
  const rows = [...markdown.matchAll(/^\| (\d{3}) \| `([a-z_]+)` \|/gm)];
  return Object.fromEntries(rows.map(([, status, code]) => [code, Number(status)]));
}

describe('the guides in the repository', () => {
  it('docs/api.md lists every reason code the service answers, with its status, and no other', () => {
    const documented = reasonCodeTable(readFileSync(join(ROOT, 'docs/api.md'), 'utf8'));
    const answered = Object.fromEntries(Object.entries(REASON_CODES).map(([code, { status }]) => [code, Number(status)]));
    expect(documented).toEqual(answered);
  });

  it('are what the code and the guides cite: no specification kept outside the repository', () => {
    const outside = /\b(CONTRACT|OPERATIONS)\.md\b/;
    const citing = [...SOURCES, ...GUIDES].filter((file) => !file.endsWith('docs.spec.ts') && outside.test(readFileSync(join(ROOT, file), 'utf8')));
    expect(citing).toEqual([]);
  });

  it('have every section the code cites by name (docs/<guide>.md "<heading>")', () => {
    const citations = SOURCES.flatMap((file) =>
      [...readFileSync(join(ROOT, file), 'utf8').matchAll(/(docs\/[a-zA-Z]+\.md) "([^"]+)"/g)].map(([, guide, heading]) => ({
        file,
        guide,
        // A citation may break across the lines of a comment.
        heading: heading.replace(/\s*\n\s*(?:\*|\/\/)?\s*/g, ' '),
      })),
    );
    expect(citations.length).toBeGreaterThan(20);
    const missing = citations.filter(({ guide, heading }) => !existsSync(join(ROOT, guide)) || !headingsOf(guide).includes(heading));
    expect(missing).toEqual([]);
  });

  it.each(GUIDES)('%s links only to files inside the repository that exist', (guide) => {
    const markdown = readFileSync(join(ROOT, guide), 'utf8');
    const targets = [...markdown.matchAll(/\]\(([^)\s]+)\)/g)].map(([, target]) => target.split('#')[0]).filter((target) => target !== '');
    for (const target of targets) {
      const path = resolve(ROOT, dirname(guide), target);
      expect({ target, inRepository: path.startsWith(`${ROOT}/`) && !/^[a-z]+:/i.test(target), exists: existsSync(path) }).toEqual({
        target,
        inRepository: true,
        exists: true,
      });
    }
  });
});
