/**
 * Where a request's CPU goes, by layer, from V8 CPU profiles (`node --cpu-prof`): self time of
 * every sample, grouped by the package or source file it ran in, in ms per request. The layer
 * tables of docs/PERFORMANCE.md ("Cutting the service's per-request CPU") are its output.
 *
 *   npm run bench:layers -- REQUESTS service.cpuprofile [baseline.cpuprofile …]
 *
 * REQUESTS is how many requests each profile served (warm-up included); the profiles are read
 * side by side, one column each.
 */
import { readFileSync } from 'node:fs';
import { basename } from 'node:path';

interface CallFrame {
  functionName: string;
  url: string;
}

interface CpuProfile {
  nodes: { id: number; callFrame: CallFrame }[];
  samples: number[];
  timeDeltas: number[];
}

/** The layers, in the order of the table; a frame belongs to the first whose test it passes. */
export const LAYERS: readonly { name: string; owns: (origin: string) => boolean }[] = [
  { name: 'Garbage collection', owns: (origin) => origin === '(garbage collector)' },
  { name: 'Socket writes (`writev`: the response and the queries)', owns: (origin) => /^\((writev|writeString|writeBuffer|utf8Write)\)$/.test(origin) },
  {
    name: "Node's http, streams and events",
    owns: (origin) =>
      /^node:(_http_|net|internal\/streams|internal\/stream_base|events|internal\/process|timers|internal\/timers|buffer|internal\/buffer|internal\/url|internal\/async_hooks|async_hooks|domain)/.test(
        origin,
      ) || /^\((runMicrotasks|utf8Slice|latin1Slice)\)$/.test(origin),
  },
  {
    name: 'Express (router, request/response helpers, helmet)',
    owns: (origin) => /^(express|router|path-to-regexp|parseurl|forwarded|proxy-addr|on-finished|finalhandler|statuses|vary|@nestjs\/platform-express|helmet)$/.test(origin),
  },
  { name: 'Nest (execution context, guards and pipes plumbing, RxJS)', owns: (origin) => /^(@nestjs\/core|@nestjs\/common|rxjs|reflect-metadata|tslib|iterare)$/.test(origin) },
  {
    name: 'Our middlewares, guards, pipe and gate',
    owns: (origin) => /^src\/(common\/(response-headers|dot-segments|query|api-error|ttl-cache|clock)|auth\/|partner\/|rate-limits\/|http-app|health\/)/.test(origin),
  },
  { name: 'TypeORM (a query runner per statement)', owns: (origin) => origin === 'typeorm' },
  {
    name: 'node-postgres',
    owns: (origin) =>
      /^(pg|pg-protocol|pg-pool|pg-types|postgres-date|postgres-array|buffer-writer|pgpass)$/.test(origin) || origin.startsWith('src/database/') || origin === '(RegExp)',
  },
  { name: 'Mapping and JSON', owns: (origin) => /^src\/(encounters\/|common\/(json-express-adapter|api-timestamp))/.test(origin) || origin === 'bench/baseline-server' },
  { name: 'PHI audit record and group commit', owns: (origin) => origin.startsWith('src/audit/') },
  {
    name: 'Access line and metrics',
    owns: (origin) => /^(pino|sonic-boom|pino-std-serializers|quick-format-unescaped|prom-client|tdigest|bintrees)$/.test(origin) || /^src\/(observability|logging)\//.test(origin),
  },
  { name: 'Token digest (HMAC)', owns: (origin) => origin === 'node:internal/crypto' },
];
export const OTHER = 'Other (start-up, compilation, timers)';

/**
 * Where a frame ran: a package's name, a Node module (`node:_http_server`), a source file of the
 * service as `src/…` (from `dist/` or `src/`, without extension), or a native function in
 * parentheses. Only the origin is kept: never a path outside the repository.
 */
export function originOf({ functionName, url }: CallFrame): string {
  if (functionName.startsWith('RegExp:')) return '(RegExp)';
  // V8's own entries are named in parentheses already: `(garbage collector)`, `(program)`.
  if (url === '') return functionName.startsWith('(') ? functionName : `(${functionName})`;
  const inPackage = /node_modules\/((?:@[^/]+\/)?[^/]+)\//.exec(url);
  if (inPackage) return inPackage[1];
  if (url.startsWith('node:')) return url.split('/').slice(0, 2).join('/');
  const inRepository = /\/(?:dist|src)\/(.+)\.[jt]s$/.exec(url);
  if (inRepository) return `src/${inRepository[1]}`;
  const inBench = /\/bench\/(.+)\.ts$/.exec(url);
  return inBench ? `bench/${inBench[1]}` : url;
}

export function layerOf(frame: CallFrame): string {
  const origin = originOf(frame);
  return LAYERS.find((layer) => layer.owns(origin))?.name ?? OTHER;
}

/** Milliseconds per request by layer; idle time left out. */
export function layersOf(profile: CpuProfile, requests: number): Map<string, number> {
  const frames = new Map(profile.nodes.map((node) => [node.id, node.callFrame]));
  const layers = new Map<string, number>([...LAYERS.map(({ name }) => name), OTHER].map((name) => [name, 0]));
  profile.samples.forEach((id, index) => {
    const frame = frames.get(id)!;
    if (frame.functionName === '(idle)') return;
    const layer = layerOf(frame);
    layers.set(layer, layers.get(layer)! + (profile.timeDeltas[index] ?? 0) / 1000 / requests);
  });
  return layers;
}

if (require.main === module) {
  const [requests, ...files] = process.argv.slice(2);
  if (!(Number(requests) > 0) || files.length === 0) {
    console.error('usage: npm run bench:layers -- REQUESTS profile.cpuprofile [profile.cpuprofile …]');
    process.exit(64);
  }
  const columns = files.map((file) => layersOf(JSON.parse(readFileSync(file, 'utf8')) as CpuProfile, Number(requests)));
  console.log(`| Layer (ms per request) | ${files.map((file) => basename(file)).join(' | ')} |`);
  console.log(`|:--|${files.map(() => '--:').join('|')}|`);
  for (const name of [...LAYERS.map((layer) => layer.name), OTHER]) console.log(`| ${name} | ${columns.map((column) => column.get(name)!.toFixed(3)).join(' | ')} |`);
  console.log(`| **Total** | ${columns.map((column) => `**${[...column.values()].reduce((sum, ms) => sum + ms, 0).toFixed(3)}**`).join(' | ')} |`);
}
