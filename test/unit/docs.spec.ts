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
