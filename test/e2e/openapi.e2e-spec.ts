import { execFile } from 'node:child_process';
import { readFile } from 'node:fs/promises';
import type { Response } from 'supertest';
import { COMMITTED_OPENAPI_FILE, createOpenApiDocument, serializeOpenApi } from '../../src/openapi/openapi-document';
import { assertMatchesOpenApi } from '../support/openapi-conformance';
import { startTestApp, TestApp } from '../support/test-app';

/** What the HTTP server answers a request it cannot read, before any route: on every operation. */
const UNREADABLE = ['invalid_request', 'request_timeout', 'request_header_too_large'];
const CHECKS = [
  ...UNREADABLE,
  'missing_bearer',
  'api_keys_disabled',
  'test_prefix_not_allowed',
  'malformed_token',
  'digest_key_unavailable',
  'invalid_key',
  'revoked_key',
  'disabled_key',
  'expired_key',
  'rate_limited',
  'org_scope_only_required',
  'organization_not_allowlisted',
  'route_not_allowed',
  'missing_scope',
  'unsupported_filter',
  'service_unavailable',
  'internal_error',
];
const ENCOUNTER_LOOKUP = ['encounter_not_found', 'cross_organization_denied', 'demo_training_denied'];
const DOCUMENT_LOOKUP = [...ENCOUNTER_LOOKUP, 'document_not_found', 'unsupported_document_type'];

/** The contract (docs/api.md), route by route: every reason code each route can answer, and no other. */
const CONTRACT = {
  '/external/v1/encounters': {
    id: 'encounters.list',
    scopes: ['encounters:read', 'patients:read', 'documents:read'],
    codes: [...CHECKS, 'invalid_limit', 'invalid_offset', 'invalid_sort', 'invalid_query'],
  },
  '/external/v1/encounters/{encounter_id}': { id: 'encounters.read', scopes: ['encounters:read', 'patients:read', 'documents:read'], codes: [...CHECKS, ...ENCOUNTER_LOOKUP] },
  '/external/v1/encounters/{encounter_id}/documents/{document_id}': { id: 'documents.read', scopes: ['encounters:read', 'documents:read'], codes: [...CHECKS, ...DOCUMENT_LOOKUP] },
  '/external/v1/encounters/{encounter_id}/documents/{document_id}/transcript': {
    id: 'documents.transcript',
    scopes: ['encounters:read', 'documents:read'],
    codes: [...CHECKS, ...DOCUMENT_LOOKUP, 'transcript_not_found'],
  },
  '/external/v1/encounters/{encounter_id}/documents/{document_id}/audio': {
    id: 'documents.audio',
    scopes: ['encounters:read', 'documents:read', 'recordings:read'],
    codes: [...CHECKS, ...DOCUMENT_LOOKUP, 'audio_not_found'],
  },
};

interface Operation {
  operationId: string;
  security: Record<string, string[]>[];
  'x-partner-route-id': string;
  'x-required-scopes': string[];
  responses: Record<string, { content: { 'application/json': { schema: { allOf?: { properties?: { reason_code?: { enum: string[] } } }[] } } } }>;
}

describe('the OpenAPI description', () => {
  let t: TestApp;
  let committed: string;
  beforeAll(async () => {
    t = await startTestApp();
    committed = await readFile(COMMITTED_OPENAPI_FILE, 'utf8');
  });
  afterAll(() => t.close());

  const operations = () => JSON.parse(committed).paths as Record<string, { get: Operation }>;

  it('is committed exactly as the code generates it (run `npm run openapi` after a change)', () => {
    expect(committed).toBe(serializeOpenApi(createOpenApiDocument(t.app)));
  });

  it('is served without a key at /openapi/v1/openapi.json, as OpenAPI 3.1', async () => {
    const response = await t.http().get('/openapi/v1/openapi.json');
    expect(response.status).toBe(200);
    expect(response.headers['content-type']).toMatch(/^application\/json/);
    expect(response.body).toEqual(JSON.parse(committed));
    expect(response.body.openapi).toBe('3.1.0');
  });

  it('lints clean (redocly, recommended rules)', async () => {
    const output = await new Promise<string>((resolve, reject) =>
      // redocly exits non-zero when it finds problems; its JSON report says which.
      execFile(process.execPath, [require.resolve('@redocly/cli/bin/cli.js'), 'lint', COMMITTED_OPENAPI_FILE, '--format=json'], { cwd: `${__dirname}/../..` }, (error, stdout) =>
        error && !stdout ? reject(new Error(`redocly did not run: ${error.message}`)) : resolve(stdout),
      ),
    );
    const report = JSON.parse(output) as { totals: { errors: number; warnings: number } };
    expect(report.totals).toMatchObject({ errors: 0, warnings: 0 });
  });

  it('describes exactly the partner routes of the contract, and the health probes', () => {
    expect(Object.keys(operations()).sort()).toEqual([...Object.keys(CONTRACT), '/health', '/health/live', '/health/ready'].sort());
  });

  it.each(Object.entries(CONTRACT))('%s: route id, bearer scopes and exactly the reason codes the contract allows', (path, route) => {
    const operation = operations()[path].get;
    expect(operation.operationId).toBe(route.id);
    expect(operation['x-partner-route-id']).toBe(route.id);
    expect(operation['x-required-scopes']).toEqual(route.scopes);
    expect(operation.security).toEqual([{ bearer: route.scopes }]);
    const documented = Object.entries(operation.responses)
      .filter(([status]) => status !== '200')
      .flatMap(([, response]) => response.content['application/json'].schema.allOf?.[1].properties?.reason_code?.enum ?? []);
    expect(documented.sort()).toEqual([...route.codes].sort());
  });
});

describe('the conformance check every e2e response goes through', () => {
  const response = (status: number, body: unknown) => ({ status, body }) as Response;
  const error = (reasonCode: string, status: number) =>
    response(status, { error: status === 404 ? 'not_found' : 'api_key_validation_failed', reason_code: reasonCode, message: 'm', field: null, request_id: 'req_1' });

  it('accepts a documented error', () => {
    expect(() => assertMatchesOpenApi('get', '/external/v1/encounters?limit=0', error('invalid_limit', 422))).not.toThrow();
  });

  it('rejects a reason code the route does not document', () => {
    expect(() => assertMatchesOpenApi('get', '/external/v1/encounters/enc_1', error('invalid_limit', 422))).toThrow(/does not document/);
    expect(() => assertMatchesOpenApi('get', '/external/v1/encounters/enc_1', error('transcript_not_found', 404))).toThrow(/does not match/);
  });

  it('rejects a body that lacks a field, has a wrongly typed one, or has an undocumented one', () => {
    const page = { items: [], limit: 50, offset: 0, total: 0 };
    expect(() => assertMatchesOpenApi('get', '/external/v1/encounters', response(200, page))).not.toThrow();
    expect(() => assertMatchesOpenApi('get', '/external/v1/encounters', response(200, { ...page, total: '0' }))).toThrow(/does not match/);
    expect(() => assertMatchesOpenApi('get', '/external/v1/encounters', response(200, { items: [], limit: 50, offset: 0 }))).toThrow(/does not match/);
    expect(() => assertMatchesOpenApi('get', '/external/v1/encounters', response(200, { ...page, next: 'x' }))).toThrow(/does not match/);
  });

  it('allows only route_not_found on a path no operation has', () => {
    expect(() => assertMatchesOpenApi('get', '/external/v1/nope', error('route_not_found', 404))).not.toThrow();
    expect(() => assertMatchesOpenApi('get', '/external/v1/nope', response(200, { items: [] }))).toThrow();
  });
});
