import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020';
import addFormats from 'ajv-formats';
import { readFileSync } from 'node:fs';
import type { Response } from 'supertest';
import { COMMITTED_OPENAPI_FILE } from '../../src/openapi/openapi-document';

interface DocumentedHeader {
  required?: boolean;
  schema: { type?: string; enum?: string[] };
}

interface OpenApiDocument {
  paths: Record<string, Record<string, { responses: Record<string, { content?: Record<string, unknown>; headers?: Record<string, DocumentedHeader> }> }>>;
  webhooks: Record<string, { post: { parameters: { name: string; schema: object }[] } }>;
  components: { schemas: Record<string, unknown> };
}

/** What partners read. Tests check the service against it, so the two cannot drift apart. */
const DOCUMENT = JSON.parse(readFileSync(COMMITTED_OPENAPI_FILE, 'utf8')) as OpenApiDocument;
const DOCUMENT_ID = 'openapi.json';

const ajv = new Ajv2020({ strict: false, allErrors: true });
addFormats(ajv);
ajv.addSchema(withClosedNamedSchemas(DOCUMENT), DOCUMENT_ID);

const OPERATION_PATHS = Object.keys(DOCUMENT.paths).map((template) => ({
  template,
  pattern: new RegExp(`^${template.replace(/\{[^}]+\}/g, '[^/]+')}$`),
}));

/** Served by the reference page itself, not operations of the API. */
const NOT_OPERATIONS = /^\/(docs|openapi)(\/|$)/;

/**
 * Throws unless `response` is one the description allows for `method url`: a documented
 * status, with every header it marks required (and the value it allows, if it names them),
 * and a body of the documented media type that validates against its schema (none for HEAD);
 * or for a path no operation has, the public error body with `route_not_found`.
 */
export function assertMatchesOpenApi(method: string, url: string, response: Response): void {
  const path = new URL(url, 'http://service').pathname;
  if (NOT_OPERATIONS.test(path)) return;
  const operationPath = OPERATION_PATHS.find(({ pattern }) => pattern.test(path));
  const operation = operationPath && DOCUMENT.paths[operationPath.template][method.toLowerCase()];
  if (!operationPath || !operation) {
    check(`${DOCUMENT_ID}#/components/schemas/ErrorBody`, response.body, `${method.toUpperCase()} ${path} (no operation)`);
    if (response.status !== 404 || response.body.reason_code !== 'route_not_found') {
      throw new Error(`${method.toUpperCase()} ${path} matches no documented operation but answered ${response.status} ${response.body.reason_code}`);
    }
    return;
  }
  const documented = operation.responses[String(response.status)];
  if (!documented) {
    throw new Error(`${method.toUpperCase()} ${operationPath.template} answered ${response.status}, which openapi.json does not document`);
  }
  const what = `${method.toUpperCase()} ${operationPath.template} ${response.status}`;
  for (const [name, header] of Object.entries(documented.headers ?? {})) {
    const value = response.headers[name.toLowerCase()] as string | undefined;
    if (header.required && value === undefined) throw new Error(`${what}: no ${name} header, which openapi.json marks required`);
    if (value !== undefined && header.schema.enum && !header.schema.enum.includes(value))
      throw new Error(`${what}: ${name} ${JSON.stringify(value)} is not one of ${header.schema.enum.join(', ')}`);
    if (value !== undefined && header.schema.type === 'integer' && !/^\d+$/.test(value)) throw new Error(`${what}: ${name} ${JSON.stringify(value)} is not an integer`);
  }
  if (method.toLowerCase() === 'head') return;
  const mediaTypes = Object.keys(documented.content ?? {});
  if (!mediaTypes.includes('application/json')) {
    const type = String(response.headers['content-type']).split(';')[0];
    if (!mediaTypes.some((documentedType) => new RegExp(`^${documentedType.replace('*', '[^/]+')}$`).test(type)))
      throw new Error(`${what}: Content-Type ${type}, openapi.json gives ${mediaTypes.join(', ')}`);
    return;
  }
  const pointer = jsonPointer(['paths', operationPath.template, method.toLowerCase(), 'responses', String(response.status), 'content', 'application/json', 'schema']);
  check(`${DOCUMENT_ID}#/${pointer}`, response.body, what);
}

/** `assertMatchesOpenApi` for an answer `fetch` got (left unread: the check reads a clone). */
export async function assertFetchMatchesOpenApi(method: string, url: string, answer: globalThis.Response): Promise<void> {
  const bytes = Buffer.from(await answer.clone().arrayBuffer());
  const json = answer.headers.get('content-type')?.startsWith('application/json') === true && bytes.length > 0;
  const body: unknown = json ? JSON.parse(bytes.toString('utf8')) : bytes;
  assertMatchesOpenApi(method, url, { status: answer.status, headers: Object.fromEntries(answer.headers), body } as unknown as Response);
}

/** Throws unless a webhook request's headers and body are what openapi.json's `webhooks` section describes. */
export function assertWebhookMatchesOpenApi(type: string, webhook: { headers: Record<string, unknown>; rawBody: string }): void {
  const operation = DOCUMENT.webhooks[type]?.post;
  if (!operation) throw new Error(`openapi.json describes no webhook ${type}`);
  for (const parameter of operation.parameters) {
    const validate = ajv.compile(parameter.schema);
    const value = webhook.headers[parameter.name.toLowerCase()];
    if (!validate(value)) throw new Error(`webhook ${type}: header ${parameter.name} ${JSON.stringify(value)} does not match openapi.json: ${ajv.errorsText(validate.errors)}`);
  }
  const pointer = jsonPointer(['webhooks', type, 'post', 'requestBody', 'content', 'application/json', 'schema']);
  check(`${DOCUMENT_ID}#/${pointer}`, JSON.parse(webhook.rawBody), `webhook ${type}`);
}

/** RFC 6901: `~` and `/` inside a segment are escaped. */
function jsonPointer(segments: string[]): string {
  return segments.map((segment) => segment.replace(/~/g, '~0').replace(/\//g, '~1')).join('/');
}

const validators = new Map<string, ValidateFunction>();

function check(ref: string, body: unknown, what: string): void {
  let validate = validators.get(ref);
  if (!validate) {
    validate = ajv.compile({ $ref: ref });
    validators.set(ref, validate);
  }
  if (!validate(body)) {
    throw new Error(`${what}: the body does not match openapi.json: ${ajv.errorsText(validate.errors)}\n${JSON.stringify(body).slice(0, 500)}`);
  }
}

/**
 * The named schemas, closed to undocumented properties: a field the service sends but the
 * description does not name is drift too. (Only in the test: the published description stays
 * open, so partners' generated clients tolerate fields added later.)
 */
function withClosedNamedSchemas(document: OpenApiDocument): OpenApiDocument {
  const copy = structuredClone(document);
  for (const schema of Object.values(copy.components.schemas)) {
    const object = schema as { properties?: unknown; unevaluatedProperties?: boolean };
    if (object.properties) object.unevaluatedProperties = false;
  }
  return copy;
}
