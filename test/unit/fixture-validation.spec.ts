// The fixture DTOs' decorators need it, and nothing under src/fixtures imports it (Nest does, in the app).
import 'reflect-metadata';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { checkFixture, ExistingRecords, type FixtureRules } from '../../src/fixtures/check-fixture';
import { FixtureError } from '../../src/fixtures/fixture-error';
import type { FixtureFile } from '../../src/fixtures/fixture.dto';
import { parseFixture } from '../../src/fixtures/parse-fixture';
import { apiKey, encounter, noteDocument, organization, patient, transcriptDocument } from '../support/fixtures';

const NOTHING_IN_DATABASE: ExistingRecords = {
  organizationIds: new Set(),
  keyIds: new Set(),
  tokenDigests: new Set(),
  patients: new Map(),
  encounterIds: new Set(),
  documentIds: new Set(),
  partnerOrganizationIds: new Set(),
  endpointIds: new Set(),
};

// Any injective function stands in for the keyed digest here.
const digestOf = (token: string) => `digest(${token})`;

/** What the loader does before inserting: parse the shape, then check it against the database. */
function validate(json: unknown, existing: Partial<ExistingRecords> = {}, rules: FixtureRules = DEVELOPMENT_RULES): FixtureFile {
  const fixture = parseFixture(json);
  checkFixture(
    fixture,
    (fixture.api_keys ?? []).map((key) => digestOf(key.token)),
    { ...NOTHING_IN_DATABASE, ...existing },
    rules,
  );
  return fixture;
}

const DEVELOPMENT_RULES: FixtureRules = { allowPrivateWebhookTargets: true };
const PRODUCTION_RULES: FixtureRules = { allowPrivateWebhookTargets: false };

function rejectionOf(json: unknown, existing: Partial<ExistingRecords> = {}, rules: FixtureRules = DEVELOPMENT_RULES): string {
  try {
    validate(json, existing, rules);
  } catch (error) {
    if (error instanceof FixtureError) return error.message;
    throw error;
  }
  throw new Error('expected the fixture to be rejected, but it was accepted');
}

const CREATED = '2026-05-25T14:00:00Z';

/** Two organizations, a key, a patient in each, two encounters and two documents of org_A. */
function scenario() {
  return {
    organizations: [organization('org_A'), organization('org_B', { partnerRoutes: null })],
    api_keys: [apiKey('key_A1', 'org_A', 'ch_sk_example_123')],
    patients: [patient('pat_1', 'org_A'), patient('pat_2', 'org_B')],
    encounters: [encounter('enc_1', 'org_A', 'pat_1', CREATED), encounter('enc_2', 'org_A', 'pat_1', CREATED)],
    documents: [transcriptDocument('doc_1', 'enc_1'), noteDocument('doc_2', 'enc_1')],
  };
}

describe('fixture validation', () => {
  it('accepts the example fixture of docs/operations.md, as printed there', () => {
    const guide = readFileSync(join(__dirname, '../../docs/operations.md'), 'utf8');
    const example = /## Fixture files[\s\S]*?```json\n([\s\S]*?)\n```/.exec(guide)?.[1];
    expect(example).toBeDefined();
    expect(() => validate(JSON.parse(example!))).not.toThrow();
  });

  it('accepts a fixture with every array empty or absent', () => {
    expect(() => validate({})).not.toThrow();
    expect(() => validate({ organizations: [], api_keys: [], patients: [], encounters: [], documents: [] })).not.toThrow();
  });

  it('accepts the optional fields left out, other document types, and null partner, content and transcript', () => {
    const minimalKey = { key_id: 'key_min', organization_id: 'org_A', token: 'ch_test_sk_minimal_key', scopes: [] };
    const minimalEncounter = {
      encounter_id: 'enc_min',
      organization_id: 'org_A',
      patient_id: 'pat_1',
      encounter_type: 'visit',
      status: 'open',
      created_at: CREATED,
      updated_at: CREATED,
    };
    expect(() =>
      validate({
        ...scenario(),
        organizations: [{ organization_id: 'org_A', name: 'A' }, organization('org_B', { partnerRoutes: [] })],
        api_keys: [minimalKey],
        encounters: [minimalEncounter],
        documents: [
          noteDocument('doc_1', 'enc_min', { content: null }),
          transcriptDocument('doc_2', 'enc_min', { transcript: null }),
          noteDocument('doc_3', 'enc_min', { schema_type: 'soap_note', content: undefined }),
        ],
      }),
    ).not.toThrow();
  });

  it.each([null, [], 'fixture', 42])('rejects %j as a fixture that is not a JSON object', (json) => {
    expect(rejectionOf(json)).toMatch(/^A fixture is a JSON object/);
  });

  describe('unknown fields', () => {
    it('rejects one at the top level, naming it', () => {
      expect(rejectionOf({ ...scenario(), orgs: [] })).toMatch(/^fixture: .*orgs/);
    });

    it('rejects one in a record, naming the record', () => {
      const encounters = [encounter('enc_1', 'org_A', 'pat_1', CREATED), encounter('enc_2', 'org_A', 'pat_1', CREATED, { colour: 'blue' })];
      expect(rejectionOf({ ...scenario(), encounters })).toMatch(/^encounters\[1\] \(enc_2\): .*colour/);
    });

    it('rejects one nested in a transcript turn, naming the record and the path', () => {
      const transcript = { provider: 'deepgram', turns: [{ speaker: 'clinician', start: 0, end: 1, text: 'Hi.', mood: 'calm' }] };
      const documents = [transcriptDocument('doc_1', 'enc_1', { transcript })];
      expect(rejectionOf({ ...scenario(), documents })).toMatch(/^documents\[0\] \(doc_1\): transcript\.turns\.0: .*mood/);
    });

    it.each(['constructor', 'toString', 'hasOwnProperty'])('rejects an unknown field named like an Object.prototype member (%s)', (field) => {
      const patients = [patient('pat_1', 'org_A', { [field]: 'x' }), patient('pat_2', 'org_B')];
      expect(rejectionOf({ ...scenario(), patients })).toMatch(new RegExp(`^patients\\[0\\] \\(pat_1\\): .*${field}`));
    });

    it.each([
      [
        'organizations',
        { organizations: [organization('org_A', { partnerRoutes: [] }), { ...organization('org_B'), partner: { routes: [], plan: 'gold' } }] },
        /^organizations\[1\] \(org_B\): partner: .*plan/,
      ],
      ['api_keys', { api_keys: [apiKey('key_A1', 'org_A', 'ch_sk_example_123', { secret: 'x' })] }, /^api_keys\[0\] \(key_A1\): .*secret/],
      ['patients', { patients: [patient('pat_1', 'org_A', { ssn: '000' })] }, /^patients\[0\] \(pat_1\): .*ssn/],
      ['documents', { documents: [noteDocument('doc_1', 'enc_1', { content: { format: 'text', text: 'x', html: '<p>' } })] }, /^documents\[0\] \(doc_1\): content: .*html/],
    ])('rejects one in %s, naming the record', (_, overrides, message) => {
      expect(rejectionOf({ ...scenario(), ...overrides })).toMatch(message);
    });
  });

  describe('field values', () => {
    it.each([
      ['an unknown scope_type', { api_keys: [apiKey('key_A1', 'org_A', 'ch_sk_example_123', { scope_type: 'team' })] }, /^api_keys\[0\] \(key_A1\): .*scope_type/],
      ['an unknown key status', { api_keys: [apiKey('key_A1', 'org_A', 'ch_sk_example_123', { status: 'paused' })] }, /^api_keys\[0\] \(key_A1\): .*status/],
      ['an unknown scope', { api_keys: [apiKey('key_A1', 'org_A', 'ch_sk_example_123', { scopes: ['encounters:write'] })] }, /^api_keys\[0\] \(key_A1\): .*scopes/],
      [
        'an expiry that is no RFC 3339 date-time',
        { api_keys: [apiKey('key_A1', 'org_A', 'ch_sk_example_123', { expires_at: '2026-02-30T00:00:00Z' })] },
        /^api_keys\[0\] \(key_A1\): .*expires_at/,
      ],
      [
        'an unknown partner route',
        { organizations: [organization('org_A', { partnerRoutes: ['encounters.delete'] }), organization('org_B')] },
        /^organizations\[0\] \(org_A\): partner: .*routes/,
      ],
      ['an unknown purpose', { encounters: [encounter('enc_1', 'org_A', 'pat_1', CREATED, { purpose: 'marketing' })] }, /^encounters\[0\] \(enc_1\): .*purpose/],
      ['created_at without an offset', { encounters: [encounter('enc_1', 'org_A', 'pat_1', '2026-05-25T14:00:00')] }, /^encounters\[0\] \(enc_1\): .*created_at/],
      [
        'date_of_service with a space for T',
        { encounters: [encounter('enc_1', 'org_A', 'pat_1', CREATED, { date_of_service: '2026-05-25 14:00:00Z' })] },
        /^encounters\[0\] \(enc_1\): .*date_of_service/,
      ],
      ['date_of_birth on Feb 29 of a common year', { patients: [patient('pat_1', 'org_A', { date_of_birth: '2023-02-29' })] }, /^patients\[0\] \(pat_1\): .*date_of_birth/],
      ['date_of_birth with a time', { patients: [patient('pat_1', 'org_A', { date_of_birth: '1970-01-01T00:00:00Z' })] }, /^patients\[0\] \(pat_1\): .*date_of_birth/],
      ['an unknown content format', { documents: [noteDocument('doc_1', 'enc_1', { content: { format: 'html', text: '<p>' } })] }, /^documents\[0\] \(doc_1\): content: .*format/],
      [
        'a duration given as a string',
        { documents: [transcriptDocument('doc_1', 'enc_1', { audio_duration_seconds: '842.4' })] },
        /^documents\[0\] \(doc_1\): .*audio_duration_seconds/,
      ],
      ['a missing required field', { encounters: [encounter('enc_1', 'org_A', 'pat_1', CREATED, { updated_at: undefined })] }, /^encounters\[0\] \(enc_1\): .*updated_at/],
      ['an organization name that is not a string', { organizations: [{ ...organization('org_A'), name: 42 }, organization('org_B')] }, /^organizations\[0\] \(org_A\): .*name/],
      ['a collection that is not an array', { patients: { pat_1: patient('pat_1', 'org_A') } }, /^fixture: .*patients/],
    ])('rejects %s, naming the record', (_, overrides, message) => {
      expect(rejectionOf({ ...scenario(), ...overrides })).toMatch(message);
    });

    it('accepts date_of_birth on Feb 29 of a leap year', () => {
      expect(() => validate({ ...scenario(), patients: [patient('pat_1', 'org_A', { date_of_birth: '2000-02-29' }), patient('pat_2', 'org_B')] })).not.toThrow();
    });

    it('names a record without a usable id by its index alone', () => {
      expect(rejectionOf({ ...scenario(), encounters: [encounter('enc_1', 'org_A', 'pat_1', CREATED, { encounter_id: 7 })] })).toMatch(/^encounters\[0\]: .*encounter_id/);
    });
  });

  describe('duplicates', () => {
    it.each([
      ['organizations', { organizations: [organization('org_A'), organization('org_B'), organization('org_A')] }, 'organizations[2] (org_A): duplicate organization_id "org_A"'],
      [
        'api_keys',
        { api_keys: [apiKey('key_A1', 'org_A', 'ch_sk_example_123'), apiKey('key_A1', 'org_A', 'ch_sk_example_456')] },
        'api_keys[1] (key_A1): duplicate key_id "key_A1"',
      ],
      ['patients', { patients: [patient('pat_1', 'org_A'), patient('pat_1', 'org_A')] }, 'patients[1] (pat_1): duplicate patient_id "pat_1"'],
      [
        'encounters',
        { encounters: [encounter('enc_1', 'org_A', 'pat_1', CREATED), encounter('enc_1', 'org_A', 'pat_1', CREATED)] },
        'encounters[1] (enc_1): duplicate encounter_id "enc_1"',
      ],
      ['documents', { documents: [noteDocument('doc_1', 'enc_1'), noteDocument('doc_1', 'enc_2')] }, 'documents[1] (doc_1): duplicate document_id "doc_1"'],
    ])('rejects an id given twice in %s', (_, overrides, message) => {
      expect(rejectionOf({ ...scenario(), ...overrides })).toBe(message);
    });

    it('rejects two keys with the same token', () => {
      const api_keys = [apiKey('key_A1', 'org_A', 'ch_sk_example_123'), apiKey('key_A2', 'org_A', 'ch_sk_example_123')];
      expect(rejectionOf({ ...scenario(), api_keys })).toMatch(/^api_keys\[1\] \(key_A2\): .*token/);
    });
  });

  describe('references', () => {
    it.each([
      ['a document of a missing encounter', { documents: [noteDocument('doc_1', 'enc_missing')] }, 'documents[0] (doc_1): encounter "enc_missing" does not exist'],
      ['an encounter of a missing patient', { encounters: [encounter('enc_1', 'org_A', 'pat_missing', CREATED)] }, 'encounters[0] (enc_1): patient "pat_missing" does not exist'],
      [
        'an encounter of a missing organization',
        { encounters: [encounter('enc_1', 'org_missing', 'pat_1', CREATED)] },
        'encounters[0] (enc_1): organization "org_missing" does not exist',
      ],
      ['a key of a missing organization', { api_keys: [apiKey('key_A1', 'org_missing', 'ch_sk_example_123')] }, 'api_keys[0] (key_A1): organization "org_missing" does not exist'],
      ['a patient of a missing organization', { patients: [patient('pat_1', 'org_missing')] }, 'patients[0] (pat_1): organization "org_missing" does not exist'],
    ])('rejects %s', (_, overrides, message) => {
      expect(rejectionOf({ ...scenario(), ...overrides })).toBe(message);
    });

    it('rejects an encounter whose patient belongs to another organization', () => {
      const encounters = [encounter('enc_1', 'org_A', 'pat_2', CREATED)];
      expect(rejectionOf({ ...scenario(), encounters, documents: [] })).toBe('encounters[0] (enc_1): patient "pat_2" belongs to another organization');
    });
  });

  describe('document bodies', () => {
    it.each(['ambient_transcript', 'soap_note'])('rejects content on a %s document', (schemaType) => {
      const documents = [noteDocument('doc_1', 'enc_1', { schema_type: schemaType })];
      expect(rejectionOf({ ...scenario(), documents })).toMatch(/^documents\[0\] \(doc_1\): content is only allowed on schema_type "document"/);
    });

    it.each(['document', 'soap_note'])('rejects a transcript on a %s document', (schemaType) => {
      const documents = [transcriptDocument('doc_1', 'enc_1', { schema_type: schemaType })];
      expect(rejectionOf({ ...scenario(), documents })).toMatch(/^documents\[0\] \(doc_1\): transcript is only allowed on schema_type "ambient_transcript"/);
    });
  });

  describe('tokens', () => {
    it.each(['ch_sk_short', 'sk_example_123', 'ch_sk_has-dash-123', 'ch_test_example_123', `ch_sk_${'a'.repeat(129)}`])('rejects the malformed token %s', (token) => {
      expect(rejectionOf({ ...scenario(), api_keys: [apiKey('key_A1', 'org_A', token)] })).toMatch(/^api_keys\[0\] \(key_A1\): token must be/);
    });

    it.each(['ch_sk_abcdefgh', 'ch_test_sk_abcdefgh', `ch_sk_${'a'.repeat(128)}`])('accepts the well-formed token %s', (token) => {
      expect(() => validate({ ...scenario(), api_keys: [apiKey('key_A1', 'org_A', token)] })).not.toThrow();
    });
  });

  describe('records already in the database', () => {
    it.each([
      ['an organization', { organizationIds: new Set(['org_B']) }, 'organizations[1] (org_B): organization_id "org_B" already exists in the database'],
      ['a key', { keyIds: new Set(['key_A1']) }, 'api_keys[0] (key_A1): key_id "key_A1" already exists in the database'],
      ['a patient', { patients: new Map([['pat_2', 'org_B']]) }, 'patients[1] (pat_2): patient_id "pat_2" already exists in the database'],
      ['an encounter', { encounterIds: new Set(['enc_2']) }, 'encounters[1] (enc_2): encounter_id "enc_2" already exists in the database'],
      ['a document', { documentIds: new Set(['doc_2']) }, 'documents[1] (doc_2): document_id "doc_2" already exists in the database'],
    ] satisfies [string, Partial<ExistingRecords>, string][])('rejects the id of %s that already exists', (_, existing, message) => {
      expect(rejectionOf(scenario(), existing)).toBe(message);
    });

    it('rejects a key whose token another key in the database already uses', () => {
      expect(rejectionOf(scenario(), { tokenDigests: new Set([digestOf('ch_sk_example_123')]) })).toMatch(/^api_keys\[0\] \(key_A1\): .*token/);
    });

    it('resolves references to organizations, patients and encounters in the database', () => {
      const existing = { organizationIds: new Set(['org_db']), patients: new Map([['pat_db', 'org_db']]), encounterIds: new Set(['enc_db']) };
      const fixture = {
        api_keys: [apiKey('key_new', 'org_db', 'ch_sk_example_new')],
        patients: [patient('pat_new', 'org_db')],
        encounters: [encounter('enc_new', 'org_db', 'pat_db', CREATED)],
        documents: [noteDocument('doc_new', 'enc_db')],
      };
      expect(() => validate(fixture, existing)).not.toThrow();
    });

    it('rejects an encounter with a patient in the database that belongs to another organization', () => {
      const existing = { organizationIds: new Set(['org_db']), patients: new Map([['pat_db', 'org_db']]) };
      const encounters = [encounter('enc_new', 'org_A', 'pat_db', CREATED)];
      expect(rejectionOf({ ...scenario(), encounters, documents: [] }, existing)).toBe('encounters[0] (enc_new): patient "pat_db" belongs to another organization');
    });
  });

  describe('webhook endpoints', () => {
    const SECRET = 'whsec_fixture_secret_0123456789';
    const partnerOrg = organization('org_hooks');
    const endpoint = (fields: object = {}) => ({ endpoint_id: 'whe_1', organization_id: 'org_hooks', url: 'https://hooks.example.com/in', secret: SECRET, ...fields });

    it('accepts one of a partner with a known secret, events and status optional', () => {
      const fixture = validate({
        organizations: [partnerOrg],
        webhook_endpoints: [endpoint(), endpoint({ endpoint_id: 'whe_2', events: ['recording.transcript_ready'], status: 'disabled' })],
      });
      expect(fixture.webhook_endpoints).toHaveLength(2);
    });

    it('accepts one of an organization that is a partner in the database', () => {
      expect(() => validate({ webhook_endpoints: [endpoint()] }, { organizationIds: new Set(['org_hooks']), partnerOrganizationIds: new Set(['org_hooks']) })).not.toThrow();
    });

    it('rejects one of an organization that is no partner, or does not exist', () => {
      expect(rejectionOf({ organizations: [organization('org_hooks', { partnerRoutes: null })], webhook_endpoints: [endpoint()] })).toBe(
        'webhook_endpoints[0] (whe_1): organization "org_hooks" is not a partner',
      );
      expect(rejectionOf({ webhook_endpoints: [endpoint()] })).toBe('webhook_endpoints[0] (whe_1): organization "org_hooks" does not exist');
    });

    it('rejects a malformed secret, an unknown event type or status, and a duplicate id', () => {
      expect(rejectionOf({ organizations: [partnerOrg], webhook_endpoints: [endpoint({ secret: 'sk_live_123456789' })] })).toMatch(/secret must be whsec_/);
      expect(rejectionOf({ organizations: [partnerOrg], webhook_endpoints: [endpoint({ events: ['encounter.created'] })] })).toMatch(/events/);
      expect(rejectionOf({ organizations: [partnerOrg], webhook_endpoints: [endpoint({ status: 'paused' })] })).toMatch(/status/);
      expect(rejectionOf({ organizations: [partnerOrg], webhook_endpoints: [endpoint(), endpoint()] })).toMatch(/duplicate endpoint_id "whe_1"/);
      expect(rejectionOf({ organizations: [partnerOrg], webhook_endpoints: [endpoint()] }, { endpointIds: new Set(['whe_1']) })).toMatch(/already exists/);
    });

    it('applies the URL rules of webhooks create: http and private addresses only where allowed', () => {
      const local = { organizations: [partnerOrg], webhook_endpoints: [endpoint({ url: 'http://127.0.0.1:4000/hooks' })] };
      expect(() => validate(local)).not.toThrow();
      expect(rejectionOf(local, {}, PRODUCTION_RULES)).toMatch(/^webhook_endpoints\[0\] \(whe_1\): url: the URL must be https/);
      const privateHttps = { organizations: [partnerOrg], webhook_endpoints: [endpoint({ url: 'https://10.0.0.8/hooks' })] };
      expect(rejectionOf(privateHttps, {}, PRODUCTION_RULES)).toMatch(/"10.0.0.8" is not a public address/);
      expect(rejectionOf({ organizations: [partnerOrg], webhook_endpoints: [endpoint({ url: 'not a url' })] })).toMatch(/is not an absolute URL/);
    });
  });
});
