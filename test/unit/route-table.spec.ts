import { RequestMethod, Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { DiscoveryModule, DiscoveryService, Reflector } from '@nestjs/core';
import { Test } from '@nestjs/testing';
import { AppModule } from '../../src/app.module';
import { RequiredScopes } from '../../src/auth/required-scopes.decorator';
import { loadAppConfig } from '../../src/config/load-app-config';
import { PARTNER_ROUTES } from '../../src/partner/partner-routes';
import { PartnerRoute } from '../../src/partner/partner-route.metadata';
import { createTestDatabase, onTestDatabase } from '../support/test-database';

/** Every controller the production AppModule mounts, found by Nest itself: none can be left out. */
async function mountedControllers(): Promise<Type[]> {
  const database = await createTestDatabase();
  const config = onTestDatabase(loadAppConfig({ NODE_ENV: 'test', DB_MIGRATE_ON_START: 'false', ...database.env }), database);
  const moduleRef = await Test.createTestingModule({ imports: [AppModule.forRoot(config), DiscoveryModule] }).compile();
  try {
    return moduleRef
      .get(DiscoveryService)
      .getControllers()
      .map((wrapper) => wrapper.metatype as Type);
  } finally {
    await moduleRef.close();
    await database.drop();
  }
}

/** Every handler, by method and full path: its partner route id, the scopes its guard reads, its guards. */
function routeTable(controllers: Type[]): Record<string, object> {
  const reflector = new Reflector();
  const entries = controllers.flatMap((controller) =>
    Object.getOwnPropertyNames(controller.prototype)
      .map((name) => ({ name, handler: Object.getOwnPropertyDescriptor(controller.prototype, name)?.value }))
      .filter(({ handler }) => typeof handler === 'function' && Reflect.hasMetadata(METHOD_METADATA, handler))
      .map(({ name, handler }) => {
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const path = `/${Reflect.getMetadata(PATH_METADATA, controller)}/${Reflect.getMetadata(PATH_METADATA, handler)}`;
        return [
          `${method} ${path.replace(/\/+/g, '/').replace(/(.)\/$/, '$1')}`,
          {
            handler: `${controller.name}.${name}`,
            partnerRoute: reflector.get(PartnerRoute, handler) ?? null,
            scopes: reflector.get(RequiredScopes, handler) ?? null,
            guards: ((Reflect.getMetadata(GUARDS_METADATA, handler) ?? []) as Type[]).map((guard) => guard.name),
          },
        ] as const;
      }),
  );
  const table = Object.fromEntries(entries);
  if (Object.keys(table).length !== entries.length) throw new Error('two handlers answer the same method and path');
  return table;
}

describe('the route table (a change here is a permission change: review it as one)', () => {
  let controllers: Type[];
  beforeAll(async () => {
    controllers = await mountedControllers();
  });

  it('maps each handler of every mounted controller to its partner route id, scopes and guards', () => {
    expect(routeTable(controllers)).toMatchInlineSnapshot(`
     {
       "GET /external/v1/encounters": {
         "guards": [
           "ApiKeyGuard",
           "KeyRateLimitGuard",
           "OrganizationKeyGuard",
           "PartnerRouteGuard",
           "ScopeGuard",
         ],
         "handler": "EncountersController.list",
         "partnerRoute": "encounters.list",
         "scopes": [
           "encounters:read",
           "patients:read",
           "documents:read",
         ],
       },
       "GET /external/v1/encounters/:encounter_id": {
         "guards": [
           "ApiKeyGuard",
           "KeyRateLimitGuard",
           "OrganizationKeyGuard",
           "PartnerRouteGuard",
           "ScopeGuard",
         ],
         "handler": "EncountersController.get",
         "partnerRoute": "encounters.read",
         "scopes": [
           "encounters:read",
           "patients:read",
           "documents:read",
         ],
       },
       "GET /external/v1/encounters/:encounter_id/documents/:document_id": {
         "guards": [
           "ApiKeyGuard",
           "KeyRateLimitGuard",
           "OrganizationKeyGuard",
           "PartnerRouteGuard",
           "ScopeGuard",
         ],
         "handler": "DocumentsController.get",
         "partnerRoute": "documents.read",
         "scopes": [
           "encounters:read",
           "documents:read",
         ],
       },
       "GET /external/v1/encounters/:encounter_id/documents/:document_id/audio": {
         "guards": [
           "ApiKeyGuard",
           "KeyRateLimitGuard",
           "OrganizationKeyGuard",
           "PartnerRouteGuard",
           "ScopeGuard",
         ],
         "handler": "AudioController.getAudio",
         "partnerRoute": "documents.audio",
         "scopes": [
           "encounters:read",
           "documents:read",
           "recordings:read",
         ],
       },
       "GET /external/v1/encounters/:encounter_id/documents/:document_id/transcript": {
         "guards": [
           "ApiKeyGuard",
           "KeyRateLimitGuard",
           "OrganizationKeyGuard",
           "PartnerRouteGuard",
           "ScopeGuard",
         ],
         "handler": "DocumentsController.getTranscript",
         "partnerRoute": "documents.transcript",
         "scopes": [
           "encounters:read",
           "documents:read",
         ],
       },
       "GET /health": {
         "guards": [],
         "handler": "HealthController.check",
         "partnerRoute": null,
         "scopes": null,
       },
       "GET /health/live": {
         "guards": [],
         "handler": "HealthController.live",
         "partnerRoute": null,
         "scopes": null,
       },
       "GET /health/ready": {
         "guards": [],
         "handler": "HealthController.ready",
         "partnerRoute": null,
         "scopes": null,
       },
       "GET /media/v1/recordings/:recording_id": {
         "guards": [],
         "handler": "MediaController.serve",
         "partnerRoute": null,
         "scopes": null,
       },
     }
    `);
  });

  it('requires the scopes of the contract for every partner route id', () => {
    expect(PARTNER_ROUTES).toEqual({
      'encounters.list': { scopes: ['encounters:read', 'patients:read', 'documents:read'] },
      'encounters.read': { scopes: ['encounters:read', 'patients:read', 'documents:read'] },
      'documents.read': { scopes: ['encounters:read', 'documents:read'] },
      'documents.transcript': { scopes: ['encounters:read', 'documents:read'] },
      'documents.audio': { scopes: ['encounters:read', 'documents:read', 'recordings:read'] },
    });
  });
});
