import { type INestApplication, Logger } from '@nestjs/common';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { DocumentBuilder, type OpenAPIObject, SwaggerModule } from '@nestjs/swagger';
import { ErrorBodyDto } from '../common/error-body.dto';
import { PARTNER_SECURITY_SCHEME } from '../partner/partner-endpoint.decorator';
import { useOpenApi31Nullability } from './openapi-31';
import { describeWebhooks } from '../webhooks/webhook-openapi';
import { documentResponseHeaders } from './response-headers';

/** Where the description is served (docs/api.md) and where people read it. */
export const OPENAPI_JSON_PATH = 'openapi/v1/openapi.json';
export const API_REFERENCE_PATH = 'docs';

/** The committed copy partners and generated clients read (`npm run openapi` rewrites it). */
export const COMMITTED_OPENAPI_FILE = join(__dirname, '..', '..', 'openapi.json');

/**
 * The description's version is the package's: docs/changelog.md says what changes it and how
 * partners hear of it.
 */
export const API_VERSION = packageVersion();

/** The version of the nearest package.json above this file (from src/, dist/ or a copy of either). */
function packageVersion(): string {
  for (let directory = __dirname; ; directory = dirname(directory)) {
    const file = join(directory, 'package.json');
    if (existsSync(file)) return (JSON.parse(readFileSync(file, 'utf8')) as { version: string }).version;
    if (dirname(directory) === directory) throw new Error(`no package.json above ${__dirname}`);
  }
}

/** Every tag an operation may carry, in the order the reference shows them. */
const TAGS = [
  { name: 'Encounters', description: "The caller organization's encounters, with their patient and document summaries." },
  { name: 'Documents', description: 'Notes, ambient transcripts, their transcripts and the URLs of their recordings.' },
  { name: 'Recordings', description: 'The bytes of a recording, through a signed media URL the audio route gave.' },
  { name: 'Operations', description: 'Health checks for load balancers and operators; no key.' },
  { name: 'Webhooks', description: 'What ChartHero sends to the endpoints a partner registered.' },
];

export function serializeOpenApi(document: OpenAPIObject): string {
  return `${JSON.stringify(document, null, 2)}\n`;
}

const DESCRIPTION = `Encounters, documents and transcripts of the caller's organization, for approved partner organizations.

A request is answered by the first check that fails, in this order:

1. authentication (401, or 503 \`digest_key_unavailable\`);
2. \`org_scope_only_required\` (403);
3. \`organization_not_allowlisted\` / \`route_not_allowed\` (403);
4. \`missing_scope\` (403, with \`missing_scopes\`);
5. query validation (400 \`unsupported_filter\`, then 422);
6. resource lookup (404, 403).

Every error has the body \`ErrorBody\`. Branch on \`reason_code\`; \`message\` may change. A path no route has is
\`404 route_not_found\`; a database that cannot be reached is \`503 service_unavailable\` with \`Retry-After\`.`;

/** The OpenAPI 3.1 description of every route, generated from the decorators the code runs with. */
export function createOpenApiDocument(app: INestApplication): OpenAPIObject {
  const builder = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('ChartHero External API')
    .setVersion(API_VERSION)
    .setDescription(DESCRIPTION)
    .addServer('/', 'This deployment')
    // An opaque key, not the JWT Nest assumes (an undefined bearerFormat is left out of the JSON).
    .addBearerAuth(
      { type: 'http', scheme: 'bearer', bearerFormat: undefined, description: 'An organization-scoped API key, an opaque string: `Authorization: Bearer ch_sk_…`.' },
      PARTNER_SECURITY_SCHEME,
    );
  for (const tag of TAGS) builder.addTag(tag.name, tag.description);
  const config = builder.build();
  // No public contact to give: absent rather than a placeholder. What partners may do with the
  // API is their agreement with ChartHero, which has no public URL or SPDX identifier.
  delete config.info.contact;
  config.info.license = { name: 'Proprietary' };
  const document = withoutDuplicateSchemas(() => SwaggerModule.createDocument(app, config, { extraModels: [ErrorBodyDto] }));
  useOpenApi31Nullability(document);
  documentResponseHeaders(document);
  describeHeadRequests(document);
  describeWebhooks(document);
  return document;
}

/**
 * Runs `generate`, failing if two different schemas got the same name: @nestjs/swagger keeps
 * the last and only warns ("Duplicate DTO detected", to become an error in its next major),
 * which would publish one of them under the other's name.
 */
function withoutDuplicateSchemas(generate: () => OpenAPIObject): OpenAPIObject {
  const duplicates: string[] = [];
  const warn = Logger.warn.bind(Logger);
  Logger.warn = (message: unknown, ...rest: unknown[]) => {
    const duplicate = /^Duplicate DTO detected: "([^"]+)"/.exec(String(message));
    if (duplicate) duplicates.push(duplicate[1]);
    else warn(message, ...(rest as string[]));
  };
  try {
    const document = generate();
    if (duplicates.length > 0) throw new Error(`Two different schemas are named ${duplicates.join(', ')}: give each DTO a name of its own (@ApiSchema).`);
    return document;
  } finally {
    Logger.warn = warn;
  }
}

/**
 * Every `GET` also answers `HEAD` (Express routes one to the other): the same responses and
 * headers, no body.
 */
function describeHeadRequests(document: OpenAPIObject): void {
  for (const item of Object.values(document.paths)) {
    if (!item.get || item.head) continue;
    const head = structuredClone(item.get);
    head.operationId = `${item.get.operationId}.head`;
    head.summary = `${item.get.summary ?? item.get.operationId}: headers only`;
    for (const response of Object.values(head.responses)) if (response && 'content' in response) delete response.content;
    item.head = head;
  }
}

/** Serves the description as JSON and the reference page, with assets from this service only. */
export function serveApiReference(app: INestApplication, document: OpenAPIObject): void {
  SwaggerModule.setup(API_REFERENCE_PATH, app, document, {
    jsonDocumentUrl: OPENAPI_JSON_PATH,
    raw: ['json'],
    customSiteTitle: 'ChartHero External API reference',
    // Swagger UI would otherwise send the description to an online validator.
    swaggerOptions: { validatorUrl: null },
  });
}
