import type { Scope } from '../auth/scopes';

/**
 * The partner route table: every route id an organization can be allowlisted for, and the
 * scopes a key needs to call it (all of them: scopes are additive).
 * A new partner route starts here, then gets `@PartnerEndpoint('<id>')` on its handler.
 */
export const PARTNER_ROUTES = {
  'encounters.list': { scopes: ['encounters:read', 'patients:read', 'documents:read'] },
  'encounters.read': { scopes: ['encounters:read', 'patients:read', 'documents:read'] },
  'documents.read': { scopes: ['encounters:read', 'documents:read'] },
  'documents.transcript': { scopes: ['encounters:read', 'documents:read'] },
  'documents.audio': { scopes: ['encounters:read', 'documents:read', 'recordings:read'] },
} as const satisfies Record<string, { scopes: readonly Scope[] }>;

export type PartnerRouteId = keyof typeof PARTNER_ROUTES;

export const PARTNER_ROUTE_IDS = Object.keys(PARTNER_ROUTES) as PartnerRouteId[];

export function isPartnerRouteId(value: string): value is PartnerRouteId {
  return Object.hasOwn(PARTNER_ROUTES, value);
}
