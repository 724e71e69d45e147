/**
 * The benchmark baseline: the encounter routes on bare `node:http` + `pg`, no framework.
 * Same SQL (the service's query builders: calls of the database functions that read for the
 * encounter routes), same JSON (the service's mappers), same bearer
 * tokens (HMAC-SHA-256 digests of api_keys, loaded once at startup). Only what a request
 * needs to be answered correctly on the benchmark's happy paths; no contract-grade
 * validation.
 *
 * And the work the contract requires of any implementation (issue 23: "equal work"): each 2xx
 * is sent only once its PHI access record is committed, the records of concurrent requests in
 * one INSERT (group commit, the service's statement and row), and each request has one access
 * line, JSON through pino to standard output as the service writes its own. This is the
 * practical limit of Node + PostgreSQL on the machine for this contract. `BASELINE_WORK=bare`
 * leaves both out: the baseline before issue 23 (`npm run bench -- --baseline bare`).
 *
 * Its process runs as the service's does: without V8's allocation-site pretenuring
 * (src/v8-pretenuring.ts), which makes list pages cheaper for any Node server.
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
import type { DisclosedItem } from '../src/audit/disclosure';
import { INSERT_RECORDS, phiAccessRow } from '../src/audit/phi-access-log';
import { userAgentOf } from '../src/audit/phi-access-record';
import { disclosedDocumentOf, disclosedEncounterOf, toEncounterDto, toNoteDocumentDto, toTranscriptDocumentDto } from '../src/encounters/encounter.mapper';
import type { EncounterPurpose } from '../src/encounters/encounter-types';
import { isListed } from '../src/encounters/listed-encounter';
import { createRootLogger } from '../src/logging/root-logger';
import { disableAllocationSitePretenuring } from '../src/v8-pretenuring';

interface AccessRow {
  in_caller_organization: boolean;
  purpose: EncounterPurpose;
}

disableAllocationSitePretenuring();
const databaseUrl = required('DATABASE_URL');
const digestSecret = required('API_KEY_DIGEST_SECRET');
const port = Number(process.env.PORT ?? 3001);
/** False with `BASELINE_WORK=bare`: no audit record, no access line. */
const equalWork = process.env.BASELINE_WORK !== 'bare';
/** The service's logger, as production configures it. */
const accessLog = createRootLogger({ level: 'info', format: 'json' });
/** The most records one INSERT carries, as the service's PhiAccessLog. */
const MAX_AUDIT_BATCH = 500;

// The same pool size as the service (src/database/data-source-options.ts).
const pool = new Pool({ connectionString: databaseUrl, max: 10, connectionTimeoutMillis: 5_000, idleTimeoutMillis: 30_000 });
interface Caller {
  organizationId: string;
  keyId: string;
}

/** Token digest → its key, for every usable key. */
const callerByDigest = new Map<string, Caller>();

/** A route's answer: its body and, for the audit, the ids it discloses. */
interface Answer {
  routeId: string;
  body: unknown;
  disclosed: DisclosedItem[];
}

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

function authenticate(request: IncomingMessage): Caller {
  const match = /^Bearer ([^ ]+)$/i.exec(request.headers.authorization ?? '');
  if (!match) throw new HttpError(401, 'missing_bearer');
  const caller = callerByDigest.get(createHmac('sha256', digestSecret).update(match[1]).digest('hex'));
  if (caller === undefined) throw new HttpError(401, 'invalid_key');
  return caller;
}

/** Records waiting for the INSERT in flight; they go together in the next. */
const auditQueue: { row: string; settle: (error?: Error) => void }[] = [];
let auditWriting = false;

/** Resolves once the record is committed (group commit, as PhiAccessLog). */
function audit(row: Record<string, unknown>): Promise<void> {
  return new Promise((resolve, reject) => {
    auditQueue.push({ row: JSON.stringify(row), settle: (error) => (error === undefined ? resolve() : reject(error)) });
    if (!auditWriting) void writeAudit();
  });
}

async function writeAudit(): Promise<void> {
  auditWriting = true;
  while (auditQueue.length > 0) {
    const batch = auditQueue.splice(0, MAX_AUDIT_BATCH);
    try {
      await pool.query(INSERT_RECORDS, [`[${batch.map(({ row }) => row).join(',')}]`]);
      for (const queued of batch) queued.settle();
    } catch (error) {
      for (const queued of batch) queued.settle(error as Error);
    }
  }
  auditWriting = false;
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

async function list(organizationId: string, query: URLSearchParams): Promise<Answer> {
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
  return {
    routeId: 'encounters.list',
    body: { items: encounters.map(toEncounterDto), limit: criteria.limit, offset: criteria.offset, total },
    disclosed: encounters.map(disclosedEncounterOf),
  };
}

function assertReadable(row: AccessRow | undefined): void {
  if (row === undefined) throw new HttpError(404, 'encounter_not_found');
  if (!row.in_caller_organization) throw new HttpError(403, 'cross_organization_denied');
  if (!isListed(row.purpose)) throw new HttpError(403, 'demo_training_denied');
}

async function detail(organizationId: string, encounterId: string): Promise<Answer> {
  const [row] = await run<AccessRow & EncounterViewRow>(encounterQuery(organizationId, encounterId));
  assertReadable(row);
  return { routeId: 'encounters.read', body: { encounter: toEncounterDto(row) }, disclosed: [disclosedEncounterOf(row)] };
}

async function document(organizationId: string, encounterId: string, documentId: string): Promise<Answer> {
  const [row] = await run<AccessRow & DocumentRow>(documentQuery(organizationId, encounterId, documentId, 'content'));
  assertReadable(row);
  if (row.document_id == null) throw new HttpError(404, 'document_not_found');
  const answer = (body: unknown): Answer => ({ routeId: 'documents.read', body, disclosed: [disclosedDocumentOf(row)] });
  if (row.schema_type === 'document') return answer({ document: toNoteDocumentDto(row) });
  if (row.schema_type === 'ambient_transcript') return answer({ document: toTranscriptDocumentDto(row) });
  throw new HttpError(400, 'unsupported_document_type');
}

const ENCOUNTER_PATH = /^\/external\/v1\/encounters\/([^/]+)$/;
const DOCUMENT_PATH = /^\/external\/v1\/encounters\/([^/]+)\/documents\/([^/]+)$/;

/** What one request was: for its audit record and its access line. */
interface Exchange {
  requestId: string;
  started: number;
  caller: Caller | null;
  route: string;
}

async function route(request: IncomingMessage, exchange: Exchange): Promise<Answer> {
  const url = new URL(request.url ?? '/', 'http://baseline');
  if (request.method !== 'GET') throw new HttpError(404, 'route_not_found');
  if (url.pathname === '/health') return { routeId: 'GET /health', body: { status: 'ok' }, disclosed: [] };
  const caller = () => (exchange.caller = authenticate(request));
  let match: RegExpExecArray | null;
  if (url.pathname === '/external/v1/encounters') return list(caller().organizationId, url.searchParams);
  if ((match = ENCOUNTER_PATH.exec(url.pathname))) return detail(caller().organizationId, decodeURIComponent(match[1]));
  if ((match = DOCUMENT_PATH.exec(url.pathname))) return document(caller().organizationId, decodeURIComponent(match[1]), decodeURIComponent(match[2]));
  throw new HttpError(404, 'route_not_found');
}

/** The record of a 2xx to a key, committed before its body is sent. */
function auditRecordOf(request: IncomingMessage, exchange: Exchange, caller: Caller, answer: Answer): Record<string, unknown> {
  return phiAccessRow({
    occurredAt: new Date(),
    requestId: exchange.requestId,
    organizationId: caller.organizationId,
    keyId: caller.keyId,
    routeId: answer.routeId,
    status: 200,
    reasonCode: null,
    clientAddress: request.socket.remoteAddress ?? null,
    userAgent: userAgentOf(request.headers['user-agent']),
    disclosed: answer.disclosed,
  });
}

function send(response: ServerResponse, exchange: Exchange, status: number, body: unknown, reasonCode: string | null): void {
  sendJson(response, exchange, status, JSON.stringify(body), reasonCode);
}

function sendJson(response: ServerResponse, exchange: Exchange, status: number, json: string, reasonCode: string | null): void {
  response.writeHead(status, {
    'Content-Type': 'application/json; charset=utf-8',
    'Content-Length': Buffer.byteLength(json),
    'Cache-Control': 'no-store',
    'X-Request-Id': exchange.requestId,
  });
  response.end(json);
  if (!equalWork) return;
  // The service's access line (src/observability/access-log.ts), field for field.
  accessLog.info(
    {
      request_id: exchange.requestId,
      method: 'GET',
      route: exchange.route,
      status,
      reason_code: reasonCode,
      duration_ms: Math.round((performance.now() - exchange.started) * 10) / 10,
      organization_id: exchange.caller?.organizationId ?? null,
      key_id: exchange.caller?.keyId ?? null,
    },
    'request completed',
  );
}

const server = createServer((request, response) => {
  const exchange: Exchange = { requestId: `req_${randomUUID()}`, started: performance.now(), caller: null, route: 'unmatched' };
  route(request, exchange)
    .then(async (answer) => {
      exchange.route = answer.routeId;
      // Serialized before the commit is awaited, as the service does: one string waits, not the page's objects.
      const json = JSON.stringify(answer.body);
      if (equalWork && exchange.caller !== null) await audit(auditRecordOf(request, exchange, exchange.caller, answer));
      sendJson(response, exchange, 200, json, null);
    })
    .catch((error: unknown) => {
      if (error instanceof HttpError) return send(response, exchange, error.status, { error: 'baseline', reason_code: error.reasonCode }, error.reasonCode);
      console.error(error);
      send(response, exchange, 500, { error: 'internal_error', reason_code: 'internal_error' }, 'internal_error');
    });
});
server.keepAliveTimeout = 65_000;

async function main(): Promise<void> {
  const { rows } = await pool.query<{ token_digest: string; organization_id: string; key_id: string }>(
    `SELECT k.token_digest, k.organization_id, k.key_id FROM api_keys k JOIN organizations o ON o.organization_id = k.organization_id
     WHERE k.status = 'active' AND (k.expires_at IS NULL OR k.expires_at > now()) AND o.api_keys_enabled`,
  );
  for (const row of rows) callerByDigest.set(row.token_digest, { organizationId: row.organization_id, keyId: row.key_id });
  const work = equalWork ? 'equal work: audit records and access lines' : 'bare: no audit record, no access line';
  server.listen(port, '127.0.0.1', () => console.log(`baseline listening on http://127.0.0.1:${port} (${callerByDigest.size} keys; ${work})`));
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
