/**
 * Builders for fixture records (docs/operations.md "Fixture files"), with sensible defaults so a
 * test spells out only what it is about.
 */
import { SCOPES } from '../../src/auth/scopes';
import { PARTNER_ROUTE_IDS } from '../../src/partner/partner-routes';

export const ALL_ROUTES = [...PARTNER_ROUTE_IDS];
export const ALL_SCOPES = [...SCOPES];
/** What the list and detail routes require. */
export const ENCOUNTER_SCOPES = ['encounters:read', 'patients:read', 'documents:read'];

export function organization(organizationId: string, options: { partnerRoutes?: string[] | null; apiKeysEnabled?: boolean } = {}) {
  const routes = options.partnerRoutes === undefined ? ALL_ROUTES : options.partnerRoutes;
  return {
    organization_id: organizationId,
    name: `Organization ${organizationId}`,
    api_keys_enabled: options.apiKeysEnabled ?? true,
    partner: routes === null ? null : { routes },
  };
}

export function apiKey(keyId: string, organizationId: string, token: string, overrides: Record<string, unknown> = {}) {
  return {
    key_id: keyId,
    organization_id: organizationId,
    token,
    scope_type: 'organization',
    scopes: ALL_SCOPES,
    status: 'active',
    expires_at: null,
    ...overrides,
  };
}

export function patient(patientId: string, organizationId: string, overrides: Record<string, unknown> = {}) {
  return { patient_id: patientId, organization_id: organizationId, first_name: 'Jane', last_name: 'Doe', date_of_birth: '1970-01-01', ...overrides };
}

export function encounter(encounterId: string, organizationId: string, patientId: string, createdAt: string, overrides: Record<string, unknown> = {}) {
  return {
    encounter_id: encounterId,
    organization_id: organizationId,
    patient_id: patientId,
    encounter_type: 'ambient',
    status: 'completed',
    purpose: 'clinical',
    created_at: createdAt,
    updated_at: createdAt,
    date_of_service: createdAt,
    ...overrides,
  };
}

export function noteDocument(documentId: string, encounterId: string, overrides: Record<string, unknown> = {}) {
  return {
    document_id: documentId,
    encounter_id: encounterId,
    schema_type: 'document',
    title: 'Progress note',
    status: null,
    workflow_variant: null,
    audio_duration_seconds: null,
    created_at: '2026-05-25T14:30:00Z',
    updated_at: '2026-05-25T14:30:00Z',
    content: { format: 'markdown', text: '## Assessment\nStable.' },
    ...overrides,
  };
}

export function transcriptDocument(documentId: string, encounterId: string, overrides: Record<string, unknown> = {}) {
  return {
    document_id: documentId,
    encounter_id: encounterId,
    schema_type: 'ambient_transcript',
    title: 'Ambient transcript',
    status: 'completed',
    workflow_variant: 'ambient',
    audio_duration_seconds: 842.4,
    created_at: '2026-05-25T14:10:00Z',
    updated_at: '2026-05-25T14:20:00Z',
    transcript: { provider: 'deepgram', turns: [{ speaker: 'clinician', start: 0.0, end: 1.6, text: 'Good morning.' }] },
    ...overrides,
  };
}

/** `Authorization` header value for a token. */
export function bearer(token: string): string {
  return `Bearer ${token}`;
}
