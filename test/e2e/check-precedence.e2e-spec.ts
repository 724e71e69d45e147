import { expectError } from '../support/error-body';
import { apiKey, bearer, encounter, noteDocument, organization, patient, transcriptDocument } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';

const LIST = '/external/v1/encounters';
const TOKEN = 'ch_sk_prec_full_access';
const EXPIRED = '2020-01-01T00:00:00Z';

const detail = (encounterId: string) => `${LIST}/${encounterId}`;
const documentOf = (encounterId: string, documentId: string) => `${LIST}/${encounterId}/documents/${documentId}`;
const transcriptOf = (encounterId: string, documentId: string) => `${documentOf(encounterId, documentId)}/transcript`;

/** A request that fails two adjacent checks of docs/api.md's order is answered by the earlier one. */
type Case = [name: string, path: string, token: string | null, status: number, reasonCode: string, options?: { field?: string | null; missingScopes?: string[] }];

async function expectCase(t: TestApp, [, path, token, status, reasonCode, options]: Case): Promise<void> {
  const request = t.http().get(path);
  expectError(await (token === null ? request : request.set('Authorization', bearer(token))), status, reasonCode, options);
}

describe('check precedence (default deployment)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await t.load({
      organizations: [
        organization('org_prec'),
        organization('org_prec_other'),
        organization('org_prec_keys_off', { apiKeysEnabled: false }),
        organization('org_prec_not_partner', { partnerRoutes: null }),
        organization('org_prec_list_only', { partnerRoutes: ['encounters.list'] }),
      ],
      api_keys: [
        apiKey('key_prec', 'org_prec', TOKEN),
        apiKey('key_prec_no_patients', 'org_prec', 'ch_sk_prec_no_patients', { scopes: ['encounters:read', 'documents:read'] }),
        apiKey('key_prec_revoked_expired', 'org_prec', 'ch_sk_prec_revoked_expired', { status: 'revoked', expires_at: EXPIRED }),
        apiKey('key_prec_disabled_expired', 'org_prec', 'ch_sk_prec_disabled_expired', { status: 'disabled', expires_at: EXPIRED }),
        apiKey('key_prec_expired_user', 'org_prec', 'ch_sk_prec_expired_user', { expires_at: EXPIRED, scope_type: 'user' }),
        apiKey('key_prec_off_revoked', 'org_prec_keys_off', 'ch_sk_prec_off_revoked', { status: 'revoked' }),
        apiKey('key_prec_off_disabled', 'org_prec_keys_off', 'ch_sk_prec_off_disabled', { status: 'disabled' }),
        apiKey('key_prec_off_expired', 'org_prec_keys_off', 'ch_sk_prec_off_expired', { expires_at: EXPIRED }),
        apiKey('key_prec_off_user', 'org_prec_keys_off', 'ch_sk_prec_off_user', { scope_type: 'user' }),
        apiKey('key_prec_np_user', 'org_prec_not_partner', 'ch_sk_prec_not_partner_user', { scope_type: 'user' }),
        apiKey('key_prec_np_no_scopes', 'org_prec_not_partner', 'ch_sk_prec_not_partner_no_scopes', { scopes: [] }),
        apiKey('key_prec_lo_platform', 'org_prec_list_only', 'ch_sk_prec_list_only_platform', { scope_type: 'platform' }),
        apiKey('key_prec_lo_no_scopes', 'org_prec_list_only', 'ch_sk_prec_list_only_no_scopes', { scopes: ['encounters:read'] }),
        apiKey('key_prec_lo_full', 'org_prec_list_only', 'ch_sk_prec_list_only_full'),
      ],
      patients: [patient('pat_prec', 'org_prec'), patient('pat_prec_other', 'org_prec_other')],
      encounters: [
        encounter('enc_prec', 'org_prec', 'pat_prec', '2026-05-25T14:00:00Z'),
        encounter('enc_prec_second', 'org_prec', 'pat_prec', '2026-05-26T14:00:00Z'),
        encounter('enc_prec_demo', 'org_prec', 'pat_prec', '2026-05-27T14:00:00Z', { purpose: 'demo' }),
        encounter('enc_prec_other', 'org_prec_other', 'pat_prec_other', '2026-05-25T14:00:00Z'),
        encounter('enc_prec_other_demo', 'org_prec_other', 'pat_prec_other', '2026-05-26T14:00:00Z', { purpose: 'demo' }),
      ],
      documents: [
        noteDocument('doc_prec_note', 'enc_prec'),
        transcriptDocument('doc_prec_pending', 'enc_prec', { transcript: null }),
        noteDocument('doc_prec_avs_second', 'enc_prec_second', { schema_type: 'after_visit_summary', content: null }),
        noteDocument('doc_prec_demo_note', 'enc_prec_demo'),
        transcriptDocument('doc_prec_other_pending', 'enc_prec_other', { transcript: null }),
      ],
    });
  });
  afterAll(() => t.close());

  it.each<Case>([
    // 1.1 before everything that follows it.
    ['missing_bearer before invalid_limit', `${LIST}?limit=0`, null, 401, 'missing_bearer'],
    ['missing_bearer before cross_organization_denied', detail('enc_prec_other'), null, 401, 'missing_bearer'],
    // 1.4 and 1.6: a malformed token is never looked up, and an unknown one is never "revoked".
    ['malformed_token before unsupported_filter', `${LIST}?foo=1`, 'ch_sk_bad', 401, 'malformed_token'],
    ['invalid_key before unsupported_filter', `${LIST}?foo=1`, 'ch_sk_prec_no_such_key', 401, 'invalid_key'],
    ['invalid_key before cross_organization_denied', `${detail('enc_prec_other')}?x=1`, 'ch_sk_prec_no_such_key', 401, 'invalid_key'],
    // 1.7: revoked, then disabled, then expired.
    ['revoked_key before expired_key', LIST, 'ch_sk_prec_revoked_expired', 401, 'revoked_key'],
    ['disabled_key before expired_key', LIST, 'ch_sk_prec_disabled_expired', 401, 'disabled_key'],
    ['expired_key before org_scope_only_required', LIST, 'ch_sk_prec_expired_user', 401, 'expired_key'],
    // 1.7 before 1.8: the key itself is judged before its organization.
    ['revoked_key before api_keys_disabled (organization)', LIST, 'ch_sk_prec_off_revoked', 401, 'revoked_key'],
    ['disabled_key before api_keys_disabled (organization)', LIST, 'ch_sk_prec_off_disabled', 401, 'disabled_key'],
    ['expired_key before api_keys_disabled (organization)', LIST, 'ch_sk_prec_off_expired', 401, 'expired_key'],
    // 1.8 before 2, 2 before 3, 3 before 4.
    ['api_keys_disabled (organization) before org_scope_only_required', LIST, 'ch_sk_prec_off_user', 401, 'api_keys_disabled'],
    ['org_scope_only_required before organization_not_allowlisted', LIST, 'ch_sk_prec_not_partner_user', 403, 'org_scope_only_required'],
    ['org_scope_only_required before route_not_allowed', detail('enc_prec'), 'ch_sk_prec_list_only_platform', 403, 'org_scope_only_required'],
    ['organization_not_allowlisted before missing_scope', LIST, 'ch_sk_prec_not_partner_no_scopes', 403, 'organization_not_allowlisted'],
    ['route_not_allowed before missing_scope', detail('enc_prec'), 'ch_sk_prec_list_only_no_scopes', 403, 'route_not_allowed'],
    ['route_not_allowed before document_not_found', documentOf('enc_prec', 'doc_prec_missing'), 'ch_sk_prec_list_only_full', 403, 'route_not_allowed'],
    // 4 before 5.
    ['missing_scope before invalid_limit', `${LIST}?limit=0`, 'ch_sk_prec_no_patients', 403, 'missing_scope', { missingScopes: ['patients:read'] }],
    ['missing_scope before unsupported_filter', `${LIST}?foo=1`, 'ch_sk_prec_list_only_no_scopes', 403, 'missing_scope', { missingScopes: ['documents:read', 'patients:read'] }],
    // 5: unsupported keys, then limit, offset, sort_order, start_at/end_at, whatever order they are sent in.
    ['unsupported_filter before invalid_limit', `${LIST}?limit=0&foo=1`, TOKEN, 400, 'unsupported_filter', { field: 'foo' }],
    ['invalid_limit before invalid_offset', `${LIST}?offset=-1&limit=0`, TOKEN, 422, 'invalid_limit', { field: 'limit' }],
    ['invalid_offset before invalid_sort', `${LIST}?sort_order=ASC&offset=01`, TOKEN, 422, 'invalid_offset', { field: 'offset' }],
    ['invalid_sort before invalid_query', `${LIST}?start_at=garbage&sort_order=Desc`, TOKEN, 422, 'invalid_sort', { field: 'sort_order' }],
    ['an invalid end_at before the start_at/end_at pair check', `${LIST}?start_at=2026-05-02T00:00:00Z&end_at=2026-05-01`, TOKEN, 422, 'invalid_query', { field: 'end_at' }],
    // 5 before 6.
    ['unsupported_filter before cross_organization_denied (detail)', `${detail('enc_prec_other')}?limit=1`, TOKEN, 400, 'unsupported_filter', { field: 'limit' }],
    ['unsupported_filter before encounter_not_found (detail)', `${detail('enc_prec_missing')}?foo`, TOKEN, 400, 'unsupported_filter', { field: 'foo' }],
    ['unsupported_filter before document_not_found', `${documentOf('enc_prec', 'doc_prec_missing')}?include=content`, TOKEN, 400, 'unsupported_filter', { field: 'include' }],
    ['unsupported_filter before transcript_not_found', `${transcriptOf('enc_prec', 'doc_prec_pending')}?format=json`, TOKEN, 400, 'unsupported_filter', { field: 'format' }],
    // 6: the encounter, then the document, then what the route can serve of it.
    ['encounter_not_found before document_not_found', documentOf('enc_prec_missing', 'doc_prec_missing'), TOKEN, 404, 'encounter_not_found'],
    ['cross_organization_denied before demo_training_denied', detail('enc_prec_other_demo'), TOKEN, 403, 'cross_organization_denied'],
    ['cross_organization_denied before document_not_found', documentOf('enc_prec_other', 'doc_prec_missing'), TOKEN, 403, 'cross_organization_denied'],
    ['cross_organization_denied before transcript_not_found', transcriptOf('enc_prec_other', 'doc_prec_other_pending'), TOKEN, 403, 'cross_organization_denied'],
    ['demo_training_denied before document_not_found', documentOf('enc_prec_demo', 'doc_prec_missing'), TOKEN, 403, 'demo_training_denied'],
    ['demo_training_denied before unsupported_document_type', transcriptOf('enc_prec_demo', 'doc_prec_demo_note'), TOKEN, 403, 'demo_training_denied'],
    ['document_not_found before unsupported_document_type (a document of another encounter)', documentOf('enc_prec', 'doc_prec_avs_second'), TOKEN, 404, 'document_not_found'],
    ['unsupported_document_type before transcript_not_found (a note has no transcript)', transcriptOf('enc_prec', 'doc_prec_note'), TOKEN, 400, 'unsupported_document_type'],
  ])('%s', async (...testCase) => {
    await expectCase(t, testCase);
  });

  // Controls: without its earlier failure, each pair's later failure is what answers.
  it.each<Case>([
    [
      'missing_scope is on the list route, which the partner has',
      LIST,
      'ch_sk_prec_list_only_no_scopes',
      403,
      'missing_scope',
      { missingScopes: ['documents:read', 'patients:read'] },
    ],
    ['limit=0 alone is invalid_limit', `${LIST}?limit=0`, TOKEN, 422, 'invalid_limit', { field: 'limit' }],
    ['offset=-1 alone is invalid_offset', `${LIST}?offset=-1`, TOKEN, 422, 'invalid_offset', { field: 'offset' }],
    ['sort_order=ASC alone is invalid_sort', `${LIST}?sort_order=ASC`, TOKEN, 422, 'invalid_sort', { field: 'sort_order' }],
    ['start_at=garbage alone is invalid_query', `${LIST}?start_at=garbage`, TOKEN, 422, 'invalid_query', { field: 'start_at' }],
    ['the other organization encounter without a query', detail('enc_prec_other'), TOKEN, 403, 'cross_organization_denied'],
    ['the unknown encounter without a query', detail('enc_prec_missing'), TOKEN, 404, 'encounter_not_found'],
    ['the unknown document without a query', documentOf('enc_prec', 'doc_prec_missing'), TOKEN, 404, 'document_not_found'],
    ['the pending transcript without a query', transcriptOf('enc_prec', 'doc_prec_pending'), TOKEN, 404, 'transcript_not_found'],
    ['the after_visit_summary on its own encounter', documentOf('enc_prec_second', 'doc_prec_avs_second'), TOKEN, 400, 'unsupported_document_type'],
  ])('control: %s', async (...testCase) => {
    await expectCase(t, testCase);
  });
});

describe('check precedence: API keys off for the deployment, test keys refused', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { API_KEYS_ENABLED: 'false', ALLOW_TEST_KEYS: 'false' } });
    await t.load({ organizations: [organization('org_prec_off')], api_keys: [apiKey('key_prec_off', 'org_prec_off', TOKEN)] });
  });
  afterAll(() => t.close());

  it.each<Case>([
    ['missing_bearer before api_keys_disabled (deployment)', LIST, null, 401, 'missing_bearer'],
    ['api_keys_disabled (deployment) before test_prefix_not_allowed', LIST, 'ch_test_sk_prec_test_key', 401, 'api_keys_disabled'],
    ['api_keys_disabled (deployment) before malformed_token', LIST, 'ch_test_x', 401, 'api_keys_disabled'],
    ['api_keys_disabled (deployment) before invalid_key', LIST, 'ch_sk_prec_no_such_key', 401, 'api_keys_disabled'],
    ['api_keys_disabled (deployment) for a valid key, before unsupported_filter', `${LIST}?foo=1`, TOKEN, 401, 'api_keys_disabled'],
  ])('%s', async (...testCase) => {
    await expectCase(t, testCase);
  });
});

describe('check precedence: test keys refused (ALLOW_TEST_KEYS=false)', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp({ env: { ALLOW_TEST_KEYS: 'false' } });
    await t.load({ organizations: [organization('org_prec_t')], api_keys: [apiKey('key_prec_t', 'org_prec_t', 'ch_test_sk_prec_test_key')] });
  });
  afterAll(() => t.close());

  it.each<Case>([
    ['missing_bearer before test_prefix_not_allowed', LIST, null, 401, 'missing_bearer'],
    ['test_prefix_not_allowed before malformed_token', LIST, 'ch_test_x', 401, 'test_prefix_not_allowed'],
    ['test_prefix_not_allowed for a key that exists, before unsupported_filter', `${LIST}?foo=1`, 'ch_test_sk_prec_test_key', 401, 'test_prefix_not_allowed'],
  ])('%s', async (...testCase) => {
    await expectCase(t, testCase);
  });
});

describe('check precedence: production without a digest secret', () => {
  let t: TestApp;

  beforeAll(async () => {
    // No keys can be loaded here: without the secret no token can be digested.
    t = await startTestApp({ env: { NODE_ENV: 'production' } });
  });
  afterAll(() => t.close());

  it.each<Case>([
    ['missing_bearer before digest_key_unavailable', LIST, null, 401, 'missing_bearer'],
    ['test_prefix_not_allowed before digest_key_unavailable', LIST, 'ch_test_sk_prec_test_key', 401, 'test_prefix_not_allowed'],
    ['malformed_token before digest_key_unavailable', LIST, 'ch_sk_short', 401, 'malformed_token'],
    ['digest_key_unavailable before invalid_key', LIST, 'ch_sk_prec_no_such_key', 503, 'digest_key_unavailable'],
    ['digest_key_unavailable before unsupported_filter and resource lookup', `${detail('enc_prec_missing')}?foo=1`, 'ch_sk_prec_no_such_key', 503, 'digest_key_unavailable'],
  ])('%s', async (...testCase) => {
    await expectCase(t, testCase);
  });
});
