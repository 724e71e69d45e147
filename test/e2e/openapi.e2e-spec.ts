import { execFile } from 'node:child_process';
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { promisify } from 'node:util';
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
const ROOT = join(__dirname, '..', '..');
const MEDIA = '/media/v1/recordings/{recording_id}';
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

interface DocumentedResponse {
  content: Record<string, { schema: { allOf?: { properties?: { reason_code?: { enum: string[] } } }[] } }>;
  headers: Record<string, { required?: boolean; schema?: { enum?: string[] } }>;
}

interface Operation {
  operationId: string;
  summary?: string;
  security: Record<string, string[]>[];
  'x-partner-route-id': string;
  'x-required-scopes': string[];
  responses: Record<string, DocumentedResponse>;
}

/** An object without some of its keys. */
function without<T extends object>(object: T, keys: readonly string[]): Partial<T> {
  return Object.fromEntries(Object.entries(object).filter(([key]) => !keys.includes(key))) as Partial<T>;
}

describe('the OpenAPI description', () => {
  let t: TestApp;
  let committed: string;
  beforeAll(async () => {
    t = await startTestApp();
    committed = await readFile(COMMITTED_OPENAPI_FILE, 'utf8');
  });
  afterAll(() => t.close());

  const operations = () => JSON.parse(committed).paths as Record<string, { get: Operation; head?: Operation }>;

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

  it('has the client types of examples/partner-sync generated from it as committed (run `npm run client:types` after `npm run openapi`)', async () => {
    const directory = await mkdtemp(join(tmpdir(), 'charthero-client-types-'));
    try {
      const generated = join(directory, 'schema.d.ts');
      await promisify(execFile)(process.execPath, [join(ROOT, 'node_modules/openapi-typescript/bin/cli.js'), COMMITTED_OPENAPI_FILE, '-o', generated], { cwd: ROOT });
      expect(await readFile(join(ROOT, 'examples/partner-sync/schema.d.ts'), 'utf8')).toBe(await readFile(generated, 'utf8'));
    } finally {
      await rm(directory, { recursive: true, force: true });
    }
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

  it('describes exactly the partner routes of the contract, the media route and the health probes, each GET with its HEAD', () => {
    expect(Object.keys(operations()).sort()).toEqual([...Object.keys(CONTRACT), MEDIA, '/health', '/health/live', '/health/ready'].sort());
    for (const [path, item] of Object.entries(operations())) {
      expect({ path, methods: Object.keys(item) }).toEqual({ path, methods: ['get', 'head'] });
      // The same parameters, security and tags; its own id and summary; the same responses without a body.
      const head = item.head!;
      const own = ['operationId', 'summary', 'responses'];
      expect(without(head, own)).toEqual(without(item.get, own));
      expect(head.operationId).toBe(`${item.get.operationId}.head`);
      expect(Object.keys(head.responses)).toEqual(Object.keys(item.get.responses));
      for (const response of Object.values(head.responses)) expect(response).not.toHaveProperty('content');
    }
  });

  it('describes the media route: no key, the bytes whole or in a range, and exactly its reason codes', () => {
    const operation = operations()[MEDIA].get;
    expect(operation.operationId).toBe('media.fetch');
    expect(operation.security).toEqual([]);
    expect(Object.keys(operation.responses['200'].content)).toEqual(['audio/*']);
    expect(operation.responses['206'].headers['Content-Range']).toMatchObject({ required: true });
    expect(operation.responses['416'].headers['Content-Range']).toMatchObject({ required: true });
    expect(operation.responses['200'].headers['Cache-Control']).toMatchObject({ required: true, schema: { enum: ['private, no-store'] } });
    const documented = Object.entries(operation.responses)
      .filter(([status]) => Number(status) >= 400)
      .flatMap(([, response]) => response.content['application/json'].schema.allOf?.[1].properties?.reason_code?.enum ?? []);
    expect(documented.sort()).toEqual([...UNREADABLE, 'media_url_invalid', 'media_url_expired', 'range_not_satisfiable', 'service_unavailable', 'internal_error'].sort());
  });

  it('marks the headers every answer carries required: X-Request-Id everywhere, Cache-Control on patient data', () => {
    for (const [path, item] of Object.entries(operations())) {
      for (const [status, response] of Object.entries(item.get.responses)) {
        expect({ path, status, requestId: response.headers['X-Request-Id']?.required }).toEqual({ path, status, requestId: true });
        if (path.startsWith('/external/') || path.startsWith('/media/'))
          expect({ path, status, cacheControl: response.headers['Cache-Control']?.required }).toEqual({ path, status, cacheControl: true });
      }
    }
  });

  it('declares every tag its operations use, and uses every tag it declares', () => {
    const document = JSON.parse(committed) as {
      tags: { name: string }[];
      paths: Record<string, Record<string, { tags?: string[] }>>;
      webhooks: Record<string, { post: { tags?: string[] } }>;
    };
    const used = [...Object.values(document.paths).flatMap((item) => Object.values(item)), ...Object.values(document.webhooks).map((item) => item.post)].map(
      (operation) => operation.tags ?? [],
    );
    expect(used.every((tags) => tags.length > 0)).toBe(true);
    expect([...new Set(used.flat())].sort()).toEqual(document.tags.map((tag) => tag.name).sort());
  });

  it('says what a key is (an opaque bearer string, no JWT), and gives no placeholder contact or license URL', () => {
    const document = JSON.parse(committed) as { info: Record<string, unknown>; components: { securitySchemes: Record<string, Record<string, unknown>> } };
    expect(document.components.securitySchemes.bearer).toEqual({ type: 'http', scheme: 'bearer', description: expect.stringContaining('opaque') });
    expect(document.info).not.toHaveProperty('contact');
    expect(document.info.license).toEqual({ name: 'Proprietary' });
    expect(committed).not.toMatch(/JWT|example\.test\/terms/);
  });

  it("carries the package's version, which docs/changelog.md names as the latest", async () => {
    const { version } = JSON.parse(await readFile(`${__dirname}/../../package.json`, 'utf8')) as { version: string };
    const changelog = await readFile(`${__dirname}/../../docs/changelog.md`, 'utf8');
    expect(JSON.parse(committed).info.version).toBe(version);
    expect(/^## (\d+\.\d+\.\d+)/m.exec(changelog)?.[1]).toBe(version);
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
  const HEADERS = { 'x-request-id': 'req_1', 'cache-control': 'no-store', 'content-type': 'application/json' };
  const response = (status: number, body: unknown, headers: Record<string, string> = HEADERS) => ({ status, body, headers }) as unknown as Response;
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

  it('rejects an answer without a required header, or with a value the description does not allow', () => {
    const page = { items: [], limit: 50, offset: 0, total: 0 };
    expect(() => assertMatchesOpenApi('get', '/external/v1/encounters', response(200, page, without(HEADERS, ['x-request-id']) as Record<string, string>))).toThrow(
      /no X-Request-Id/,
    );
    expect(() => assertMatchesOpenApi('get', '/external/v1/encounters', response(200, page, { ...HEADERS, 'cache-control': 'max-age=60' }))).toThrow(/Cache-Control/);
  });

  it('checks a HEAD answer without a body, and a recording by its media type', () => {
    expect(() => assertMatchesOpenApi('head', '/external/v1/encounters', response(200, {}))).not.toThrow();
    const media = { 'x-request-id': 'req_1', 'cache-control': 'private, no-store', 'content-length': '3', 'content-disposition': 'inline', 'accept-ranges': 'bytes' };
    expect(() => assertMatchesOpenApi('get', '/media/v1/recordings/rec_1?expires=1', response(200, Buffer.from('abc'), { ...media, 'content-type': 'audio/mpeg' }))).not.toThrow();
    expect(() => assertMatchesOpenApi('get', '/media/v1/recordings/rec_1?expires=1', response(200, Buffer.from('abc'), { ...media, 'content-type': 'text/html' }))).toThrow(
      /Content-Type text\/html/,
    );
  });

  it('allows only route_not_found on a path no operation has', () => {
    expect(() => assertMatchesOpenApi('get', '/external/v1/nope', error('route_not_found', 404))).not.toThrow();
    expect(() => assertMatchesOpenApi('get', '/external/v1/nope', response(200, { items: [] }))).toThrow();
  });
});
