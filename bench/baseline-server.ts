/**
 * The benchmark baseline: the encounter routes on bare `node:http` + `pg`, no framework.
 * Same SQL (the service's query builders: calls of the database functions that read for the
 * encounter routes), same JSON (the service's mappers), same bearer
 * tokens (HMAC-SHA-256 digests of api_keys, loaded once at startup). Only what a request
 * needs to be answered correctly on the benchmark's happy paths; no contract-grade
 * validation. This is the practical limit of Node + PostgreSQL on the machine.
 *
 *   DATABASE_URL=… API_KEY_DIGEST_SECRET=… PORT=… node -r ts-node/register/transpile-only bench/baseline-server.ts
 */
import { createHmac, randomUUID } from 'node:crypto';
import { createServer, type IncomingMessage, type ServerResponse } from 'node:http';
import { Pool } from 'pg';
import {
  documentQuery,
  type DocumentRow,
  type EncounterListCriteria,
  type EncounterListRow,
  encounterQuery,
  type EncounterViewRow,
  listQuery,
  splitListRows,
  type SqlQuery,
} from '../src/encounters/encounter-queries';
import { toEncounterDto, toNoteDocumentDto, toTranscriptDocumentDto } from '../src/encounters/encounter.mapper';
import type { EncounterPurpose } from '../src/encounters/encounter-types';
import { isListed } from '../src/encounters/listed-encounter';

interface AccessRow {
  in_caller_organization: boolean;
  purpose: EncounterPurpose;
}

const databaseUrl = required('DATABASE_URL');
const digestSecret = required('API_KEY_DIGEST_SECRET');
const port = Number(process.env.PORT ?? 3001);

// The same pool size as the service (src/database/data-source-options.ts).
const pool = new Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
/** Token digest → organization id, for every usable key. */
const organizationByDigest = new Map<string, string>();

class HttpError extends Error {
  constructor(
    readonly status: number,
    readonly reasonCode: string,
  ) {
    super(reasonCode);
  }
}

async function run<Row>(query: SqlQuery): Promise<Row[]> {
  return (await pool.query<Row & object>(query.text, query.values)).rows;
}

function authenticate(request: IncomingMessage): string {
  const match = /^Bearer ([^ ]+)$/i.exec(request.headers.authorization ?? '');
  if (!match) throw new HttpError(401, 'missing_bearer');
  const organizationId = organizationByDigest.get(createHmac('sha256', digestSecret).update(match[1]).digest('hex'));
  if (organizationId === undefined) throw new HttpError(401, 'invalid_key');
  return organizationId;
}

function integer(raw: string | null, fallback: number, min: number, max: number, reasonCode: string): number {
  if (raw === null) return fallback;
  const value = Number(raw);
  if (!/^(0|[1-9]\d*)$/.test(raw) || value < min || value > max) throw new HttpError(422, reasonCode);
  return value;
}

function instant(raw: string | null): Date | undefined {
  if (raw === null) return undefined;
  const date = new Date(raw);
  if (Number.isNaN(date.getTime())) throw new HttpError(422, 'invalid_query');
  return date;
}

async function list(organizationId: string, query: URLSearchParams): Promise<unknown> {
  const sortOrder = query.get('sort_order') ?? 'desc';
  if (sortOrder !== 'asc' && sortOrder !== 'desc') throw new HttpError(422, 'invalid_sort');
  const criteria: EncounterListCriteria = {
    organizationId,
    limit: integer(query.get('limit'), 50, 1, 100, 'invalid_limit'),
    offset: integer(query.get('offset'), 0, 0, 10_000, 'invalid_offset'),
    sortOrder,
    startAt: instant(query.get('start_at')),
    endAt: instant(query.get('end_at')),
  };
  const { encounters, total } = splitListRows(await run<EncounterListRow>(listQuery(criteria)));
  return { items: encounters.map(toEncounterDto), limit: criteria.limit, offset: criteria.offset, total };
}

function assertReadable(row: AccessRow | undefined): void {
  if (row === undefined) throw new HttpError(404, 'encounter_not_found');
  if (!row.in_caller_organization) throw new HttpError(403, 'cross_organization_denied');
  if (!isListed(row.purpose)) throw new HttpError(403, 'demo_training_denied');
}

async function detail(organizationId: string, encounterId: string): Promise<unknown> {
  const [row] = await run<AccessRow & EncounterViewRow>(encounterQuery(organizationId, encounterId));
  assertReadable(row);
  return { encounter: toEncounterDto(row) };
}

async function document(organizationId: string, encounterId: string, documentId: string): Promise<unknown> {
  const [row] = await run<AccessRow & DocumentRow>(documentQuery(organizationId, encounterId, documentId, 'content'));
  assertReadable(row);
  if (row.document_id == null) throw new HttpError(404, 'document_not_found');
  if (row.schema_type === 'document') return { document: toNoteDocumentDto(row) };
  if (row.schema_type === 'ambient_transcript') return { document: toTranscriptDocumentDto(row) };
  throw new HttpError(400, 'unsupported_document_type');
}

const ENCOUNTER_PATH = /^\/external\/v1\/encounters\/([^/]+)$/;
const DOCUMENT_PATH = /^\/external\/v1\/encounters\/([^/]+)\/documents\/([^/]+)$/;

async function route(request: IncomingMessage): Promise<unknown> {
  const url = new URL(request.url ?? '/', 'http://baseline');
  if (request.method !== 'GET') throw new HttpError(404, 'route_not_found');
  if (url.pathname === '/health') return { status: 'ok' };
  let match: RegExpExecArray | null;
  if (url.pathname === '/external/v1/encounters') return list(authenticate(request), url.searchParams);
  if ((match = ENCOUNTER_PATH.exec(url.pathname))) return detail(authenticate(request), decodeURIComponent(match[1]));
  if ((match = DOCUMENT_PATH.exec(url.pathname))) return document(authenticate(request), decodeURIComponent(match[1]), decodeURIComponent(match[2]));
  throw new HttpError(404, 'route_not_found');
}

function send(response: ServerResponse, status: number, body: unknown): void {
  const json = JSON.stringify(body);
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    'Cache-Control': 'no-store',
    'X-Request-Id': `req_${randomUUID()}`,
  });
  response.end(json);
}

const server = createServer((request, response) => {
  route(request).then(
    (body) => send(response, 200, body),
    (error: unknown) => {
      if (error instanceof HttpError) return send(response, error.status, { error: 'baseline', reason_code: error.reasonCode });
      console.error(error);
      send(response, 500, { error: 'internal_error', reason_code: 'internal_error' });
    },
  );
});
server.keepAliveTimeout = 65_000;

async function main(): Promise<void> {
  const { rows } = await pool.query<{ token_digest: string; organization_id: string }>(
    `SELECT k.token_digest, k.organization_id FROM api_keys k JOIN organizations o ON o.organization_id = k.organization_id
     WHERE k.status = 'active' AND (k.expires_at IS NULL OR k.expires_at > now()) AND o.api_keys_enabled`,
  );
  for (const row of rows) organizationByDigest.set(row.token_digest, row.organization_id);
  server.listen(port, '127.0.0.1', () => console.log(`baseline listening on http://127.0.0.1:${port} (${organizationByDigest.size} keys)`));
}

function required(name: string): string {
  const value = process.env[name];
  if (!value) throw new Error(`${name} is required`);
  return value;
}

const stop = () => server.close(() => void pool.end());
process.on('SIGTERM', stop);
process.on('SIGINT', stop);

main().catch((error: unknown) => {
  console.error(error);
  process.exit(1);
});
