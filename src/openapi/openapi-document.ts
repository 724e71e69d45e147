import type { INestApplication } from '@nestjs/common';
import { join } from 'node:path';
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
  const config = new DocumentBuilder()
    .setOpenAPIVersion('3.1.0')
    .setTitle('ChartHero External API')
    .setVersion('1.0.0')
    .setDescription(DESCRIPTION)
    .setLicense('Proprietary', 'https://api.example.test/terms')
    .addServer('/', 'This deployment')
    .addBearerAuth({ type: 'http', scheme: 'bearer', description: 'An organization-scoped API key: `Authorization: Bearer ch_sk_…`.' }, PARTNER_SECURITY_SCHEME)
    .build();
  const document = SwaggerModule.createDocument(app, config, { extraModels: [ErrorBodyDto] });
  useOpenApi31Nullability(document);
  documentResponseHeaders(document);
  describeWebhooks(document);
  return document;
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
