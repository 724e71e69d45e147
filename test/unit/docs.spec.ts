import { existsSync, readdirSync, readFileSync } from 'node:fs';
import { dirname, join, resolve } from 'node:path';
import { NOT_READY_REASONS, REASON_CODES } from '../../src/common/reason-codes';
import { GUIDE_LIST_EXAMPLE } from '../../src/encounters/dto/guide-examples';
import { SCOPES } from '../../src/auth/scopes';
import { PARTNER_ROUTE_IDS, PARTNER_ROUTES } from '../../src/partner/partner-routes';
import { REPOSITORY_ROOT as ROOT, sourceFilesUnder } from '../support/source-files';

const GUIDES = [
  'README.md',
  ...readdirSync(join(ROOT, 'docs'))
    .filter((file) => file.endsWith('.md'))
    .map((file) => `docs/${file}`),
];

/** Every source file of the code, the tests and the bench. */
const SOURCES = ['src', 'test', 'bench'].flatMap(sourceFilesUnder);

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

  it.each(GUIDES)('%s has tables that render: every row under a header and its rule, with as many cells', (guide) => {
    const lines = readFileSync(join(ROOT, guide), 'utf8').split('\n');
    // Cells as GitHub counts them: split on pipes not escaped (a pipe in a table's code span is written \\|).
    const cells = (row: string): number => row.trim().replace(/\\\|/g, '').split('|').length - 2;
    const broken: string[] = [];
    let inFence = false;
    lines.forEach((line, index) => {
      if (/^\s*```/.test(line)) inFence = !inFence;
      if (inFence || !line.startsWith('|')) return;
      const previous = lines[index - 1] ?? '';
      if (previous.startsWith('|')) return;
      // A table's first line: a header, then its rule, then rows of the same width.
      const rows = lines.slice(index, lines.slice(index).findIndex((other) => !other.startsWith('|')) + index);
      if (rows.length < 2 || !/^\|(\s*:?-+:?\s*\|)+$/.test(rows[1].trim())) broken.push(`line ${index + 1}: no header and rule`);
      else for (const [offset, row] of rows.entries()) if (cells(row) !== cells(rows[0])) broken.push(`line ${index + 1 + offset}: ${cells(row)} cells, header ${cells(rows[0])}`);
    });
    expect(broken).toEqual([]);
  });

  it('docs/api.md "Routes and scopes" lists every partner route with its path (openapi.json) and scopes (partner-routes.ts), and no other', () => {
    const openapi = JSON.parse(readFileSync(join(ROOT, 'openapi.json'), 'utf8')) as { paths: Record<string, Record<string, { operationId: string }>> };
    const pathOf = Object.fromEntries(
      Object.entries(openapi.paths).flatMap(([path, item]) => Object.entries(item).map(([method, operation]) => [operation.operationId, `${method.toUpperCase()} ${path}`])),
    );
    const rows = [...readFileSync(join(ROOT, 'docs/api.md'), 'utf8').matchAll(/^\| `(GET [^`]+)` \| `([a-z.]+)` \| ([^|]+) \|$/gm)].map(([, route, id, scopes]) => ({
      route,
      id,
      scopes: [...scopes.matchAll(/`([^`]+)`/g)].map(([, scope]) => scope),
    }));
    expect(rows).toEqual(PARTNER_ROUTE_IDS.map((id) => ({ route: pathOf[id], id, scopes: [...PARTNER_ROUTES[id].scopes] })));
  });

  it('docs/operations.md names every partner route id and every scope, and no other', () => {
    const operations = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
    const codes = (text: string): string[] => [...text.matchAll(/`([^`]+)`/g)].map(([, code]) => code);
    const paragraph = /^Partner route ids: [\s\S]*?(?=\n\n)/m.exec(operations)?.[0] ?? '';
    const [routeIds, scopes] = paragraph.split('Scopes:');
    expect({ routeIds: codes(routeIds ?? ''), scopes: codes(scopes ?? '') }).toEqual({ routeIds: PARTNER_ROUTE_IDS, scopes: [...SCOPES] });
    const [, accessLogRoutes] = /^\| `route` \| the partner route id \(([^)]+)\)/m.exec(operations) ?? [];
    expect(codes(accessLogRoutes ?? '')).toEqual(PARTNER_ROUTE_IDS);
  });

  it('docs/operations.md "Health" gives every reason readiness can answer not_ready with, and no other', () => {
    const operations = readFileSync(join(ROOT, 'docs/operations.md'), 'utf8');
    const [, reasons] = /^\| `GET \/health\/ready` \|[^|]*\|[^|]*its `not_ready` says why: ([^|]*)\|/m.exec(operations) ?? [];
    expect([...(reasons ?? '').matchAll(/`([a-z_]+)`/g)].map(([, reason]) => reason)).toEqual(NOT_READY_REASONS);
  });

  it("docs/api.md shows the guide's list example as the service answers it (src/encounters/dto/guide-examples.ts), key for key and in order", () => {
    const blocks = [...readFileSync(join(ROOT, 'docs/api.md'), 'utf8').matchAll(/^```json\n([\s\S]*?)^```/gm)].map(([, json]) => json);
    // Some blocks are sketches with … in them, not JSON.
    const parsed = (json: string): unknown => {
      try {
        return JSON.parse(json);
      } catch {
        return undefined;
      }
    };
    const shown = blocks.filter((json) => JSON.stringify(parsed(json)) === JSON.stringify(GUIDE_LIST_EXAMPLE));
    expect(shown).toHaveLength(1);
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
