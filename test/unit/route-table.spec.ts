import { RequestMethod, Type } from '@nestjs/common';
import { GUARDS_METADATA, METHOD_METADATA, PATH_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import { readdirSync } from 'node:fs';
import { join } from 'node:path';
import { DocumentsController } from '../../src/encounters/documents.controller';
import { EncountersController } from '../../src/encounters/encounters.controller';
import { PARTNER_ROUTES } from '../../src/partner/partner-routes';
import { PartnerRoute } from '../../src/partner/partner-route.metadata';

const CONTROLLERS: Record<string, Type> = {
  'documents.controller.ts': DocumentsController,
  'encounters.controller.ts': EncountersController,
};

/** Every handler, by method and full path: its partner route id, the scopes it requires, its guards. */
function routeTable(): Record<string, object> {
  const reflector = new Reflector();
  const entries = Object.values(CONTROLLERS).flatMap((controller) =>
    Object.getOwnPropertyNames(controller.prototype)
      .map((name) => ({ name, handler: Object.getOwnPropertyDescriptor(controller.prototype, name)?.value }))
      .filter(({ handler }) => typeof handler === 'function' && Reflect.hasMetadata(METHOD_METADATA, handler))
      .map(({ name, handler }) => {
        const method = RequestMethod[Reflect.getMetadata(METHOD_METADATA, handler) as RequestMethod];
        const path = `/${Reflect.getMetadata(PATH_METADATA, controller)}/${Reflect.getMetadata(PATH_METADATA, handler)}`;
        const partnerRoute = reflector.get(PartnerRoute, handler) ?? null;
        return [
          `${method} ${path.replace(/\/+/g, '/').replace(/(.)\/$/, '$1')}`,
          {
            handler: `${controller.name}.${name}`,
            partnerRoute,
            scopes: partnerRoute === null ? null : PARTNER_ROUTES[partnerRoute].scopes,
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
  it('covers every controller in src/encounters', () => {
    const files = readdirSync(join(__dirname, '../../src/encounters')).filter((file) => file.endsWith('.controller.ts'));
    expect(files.sort()).toEqual(Object.keys(CONTROLLERS).sort());
  });

  it('maps each handler to its partner route id, scopes and guards', () => {
    expect(routeTable()).toMatchInlineSnapshot(`
      {
        "GET /external/v1/encounters": {
          "guards": [
            "ApiKeyGuard",
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
        "GET /external/v1/encounters/:encounter_id/documents/:document_id/transcript": {
          "guards": [
            "ApiKeyGuard",
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
