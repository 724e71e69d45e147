import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { LAYERS, layerOf, OTHER, originOf } from '../../bench/profile-layers';

describe('bench/profile-layers', () => {
  it.each([
    [{ functionName: '(garbage collector)', url: '' }, '(garbage collector)', 'Garbage collection'],
    [{ functionName: 'writev', url: '' }, '(writev)', 'Socket writes (`writev`: the response and the queries)'],
    [{ functionName: 'setHeader', url: 'node:_http_outgoing' }, 'node:_http_outgoing', "Node's http, streams and events"],
    [{ functionName: 'next', url: 'file:///srv/app/node_modules/router/index.js' }, 'router', 'Express (router, request/response helpers, helmet)'],
    [
      { functionName: 'tryActivate', url: 'file:///srv/app/node_modules/@nestjs/core/guards/guards-consumer.js' },
      '@nestjs/core',
      'Nest (execution context, guards and pipes plumbing, RxJS)',
    ],
    [{ functionName: 'release', url: 'file:///srv/app/dist/partner/phi-disclosure-gate.js' }, 'src/partner/phi-disclosure-gate', 'Our middlewares, guards, pipe and gate'],
    [{ functionName: 'parseRow', url: 'file:///srv/app/node_modules/pg/lib/result.js' }, 'pg', 'node-postgres'],
    [{ functionName: 'toEncounterDto', url: 'file:///srv/app/src/encounters/encounter.mapper.ts' }, 'src/encounters/encounter.mapper', 'Mapping and JSON'],
    [{ functionName: 'send', url: 'file:///srv/app/bench/baseline-server.ts' }, 'bench/baseline-server', 'Mapping and JSON'],
    [{ functionName: 'append', url: 'file:///srv/app/dist/audit/phi-access-log.js' }, 'src/audit/phi-access-log', 'PHI audit record and group commit'],
    [{ functionName: 'Hmac', url: 'node:internal/crypto/hash' }, 'node:internal/crypto', 'Token digest (HMAC)'],
    [{ functionName: 'wrapSafe', url: 'node:internal/modules/cjs/loader' }, 'node:internal/modules', 'Other (start-up, compilation, timers)'],
  ])('%j runs in %s, of the layer "%s"', (frame, origin, layer) => {
    expect(originOf(frame)).toBe(origin);
    expect(layerOf(frame)).toBe(layer);
  });

  it.each(['Detail', 'List'])("PERFORMANCE.md's %s layer table has the tool's layers, in its order", (table) => {
    const performance = readFileSync(join(__dirname, '../../docs/PERFORMANCE.md'), 'utf8');
    const rows = performance.split(`\n| ${table} (`)[1].split('| **Total**')[0].split('\n').slice(2, -1);
    const names = rows.map((row) =>
      row
        .split(' | ')[0]
        .slice(2)
        .replace(/ \(before: .*\)$/, ''),
    );
    expect(names).toEqual([...LAYERS.map((layer) => layer.name), OTHER]);
  });
});
