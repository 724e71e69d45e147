/**
 * Property tests against a real app (issue 11): random query strings, paths and headers never
 * get a 5xx, and always the contract's body and headers (every response is also checked against
 * openapi.json by `t.http()`); random pairs of a key and another organization's ids never read
 * that organization's data (BOLA). Runs are bounded and the seed is fixed: a failure prints the
 * seed and path that replay it (`FUZZ_SEED=<seed>` to try others).
 */
import fc from 'fast-check';
import type { Response } from 'supertest';
import { apiKey, bearer, encounter, noteDocument, organization, patient, transcriptDocument } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/test-app';

const SEED = Number(process.env.FUZZ_SEED ?? 20261201);
const RUNS = 120;
const ORGS = ['a', 'b'] as const;
type Org = (typeof ORGS)[number];
const TOKENS: Record<Org, string> = { a: 'ch_sk_fuzz_org_a_full_access', b: 'ch_sk_fuzz_org_b_full_access' };
/** What only organization `org` may ever see. */
const PATIENT_NAMES: Record<Org, string> = { a: 'Alberta Fuzzington', b: 'Bartholomew Fuzzwick' };
const ENCOUNTERS_PER_ORG = 3;

const encounterId = (org: Org, index: number) => `enc_fz_${org}_${index}`;
const noteId = (org: Org, index: number) => `doc_fz_${org}_${index}_n`;
const transcriptId = (org: Org, index: number) => `doc_fz_${org}_${index}_t`;

/** Headers every answer carries, whatever was asked. */
function expectContractHeaders(response: Response): void {
  expect(response.headers['x-request-id']).toMatch(/^[A-Za-z0-9._:-]{1,128}$/);
  expect(response.headers['x-content-type-options']).toBe('nosniff');
  expect(response.headers['content-type']).toMatch(/^application\/json; charset=utf-8$/);
}

/** A 4xx is the public error body, with the request id of the header; a 5xx is never answered. */
function expectContractAnswer(response: Response): void {
  expect(response.status).toBeLessThan(500);
  expectContractHeaders(response);
  if (response.status >= 400) {
    expect(response.body).toMatchObject({ error: expect.any(String), reason_code: expect.any(String), message: expect.any(String), request_id: response.headers['x-request-id'] });
  }
}

/** Random text: ASCII and beyond, control characters, percent signs, long runs. */
const anyText = fc.oneof(
  fc.string({ unit: 'binary', maxLength: 40 }),
  fc.string({ unit: 'grapheme-ascii', maxLength: 40 }),
  fc.constantFrom('', ' ', '%', '%zz', '%00', '\u0000', '..', '.', '/', '\\', '*', '[]', '{}', '-1', '1e9', '2026-13-01T00:00:00Z', 'null', 'é', '😀'),
  fc.string({ unit: 'grapheme-ascii', minLength: 2_000, maxLength: 6_000 }),
);

const QUERY_NAMES = ['limit', 'cursor', 'updated_since', 'updated_until', 'created_since', 'status', 'purpose', 'sort', 'order', 'offset', 'page', 'patient_id'];
const queryString = fc
  .array(fc.tuple(fc.oneof(fc.constantFrom(...QUERY_NAMES), anyText), anyText), { maxLength: 6 })
  .map((pairs) => pairs.map(([name, value]) => `${encodeURIComponent(name)}=${encodeURIComponent(value)}`).join('&'));

describe('fuzzing the partner API', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    for (const org of ORGS) {
      const [first, last] = PATIENT_NAMES[org].split(' ');
      const encounters = Array.from({ length: ENCOUNTERS_PER_ORG }, (_, index) =>
        encounter(encounterId(org, index), `org_fz_${org}`, `pat_fz_${org}`, `2026-05-0${index + 1}T14:00:00Z`),
      );
      await t.load({
        organizations: [organization(`org_fz_${org}`)],
        api_keys: [apiKey(`key_fz_${org}`, `org_fz_${org}`, TOKENS[org])],
        patients: [patient(`pat_fz_${org}`, `org_fz_${org}`, { first_name: first, last_name: last })],
        encounters,
        documents: encounters.flatMap((_, index) => [
          noteDocument(noteId(org, index), encounterId(org, index)),
          transcriptDocument(transcriptId(org, index), encounterId(org, index)),
        ]),
      });
    }
  });
  afterAll(() => t.close());

  it('random query strings on the list: never a 5xx, always the contract body and headers', async () => {
    await fc.assert(
      fc.asyncProperty(queryString, async (query) => {
        expectContractAnswer(await t.http().get(`/external/v1/encounters?${query}`).set('Authorization', bearer(TOKENS.a)));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('random paths under the API: never a 5xx, always the contract body and headers', async () => {
    const segment = fc.oneof(
      fc.constantFrom('external', 'v1', 'encounters', 'documents', 'transcript', 'audio', encounterId('a', 0), transcriptId('a', 0), noteId('a', 0), encounterId('b', 0)),
      anyText.map((text) => encodeURIComponent(text)),
      fc.constantFrom('%00', '%2e%2e', '%2F', '%zz', '%', '.', '..', '*', ';', 'x%00'),
    );
    const path = fc.array(segment, { minLength: 1, maxLength: 7 }).map((segments) => `/${segments.join('/')}`);
    const prefixed = fc.oneof(
      path,
      path.map((rest) => `/external/v1${rest}`),
      path.map((rest) => `/external/v1/encounters${rest}`),
    );
    await fc.assert(
      fc.asyncProperty(prefixed, fc.boolean(), async (target, slash) => {
        expectContractAnswer(
          await t
            .http()
            .get(`${target}${slash ? '/' : ''}`)
            .set('Authorization', bearer(TOKENS.a)),
        );
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it('random Authorization and X-Request-Id headers: never a 5xx; a sane request id is echoed, any other replaced', async () => {
    // What an HTTP client can send in a header: visible ASCII, spaces and tabs (and obs-text bytes).
    const headerText = (maxLength: number) => fc.string({ unit: fc.constantFrom(...' \t!"#$%&\'()*+,-./0123456789:;<=>?@ABCXYZ[\\]^_`abcxyz{|}~'), maxLength });
    const authorization = fc.oneof(
      headerText(200),
      headerText(80).map((token) => `Bearer ${token}`),
      fc.constantFrom(
        `Bearer ${TOKENS.a}`,
        `bearer ${TOKENS.a}`,
        `Bearer  ${TOKENS.a}`,
        `Bearer ${TOKENS.a} `,
        `Basic ${TOKENS.a}`,
        `Bearer ${TOKENS.a}x`,
        `Bearer ${TOKENS.a.toUpperCase()}`,
        'Bearer',
        'Bearer ',
        '',
      ),
      fc.string({ unit: 'grapheme-ascii', minLength: 4_000, maxLength: 8_000 }).map((token) => `Bearer ${token.replace(/[^\x21-\x7e]/g, 'x')}`),
    );
    const requestId = fc.oneof(headerText(140), fc.constantFrom('req-1', 'a'.repeat(128), 'a'.repeat(129), 'x y', 'x\ty', '../../etc', '<script>'), headerText(5_000));
    await fc.assert(
      fc.asyncProperty(authorization, requestId, async (auth, id) => {
        const response = await t.http().get('/external/v1/encounters').set('Authorization', auth).set('X-Request-Id', id);
        expectContractAnswer(response);
        // Node trims surrounding whitespace from a header value before anyone reads it.
        const sent = id.trim();
        expect(response.headers['x-request-id']).toEqual(/^[A-Za-z0-9._:-]{1,128}$/.test(sent) ? sent : expect.stringMatching(/^req_[0-9a-f-]{36}$/));
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });

  it("never reads another organization's data, whatever pair of key and ids is asked (BOLA)", async () => {
    const org = fc.constantFrom(...ORGS);
    const index = fc.integer({ min: 0, max: ENCOUNTERS_PER_ORG - 1 });
    const route = fc.constantFrom('encounter', 'note', 'transcript', 'transcript of a note', 'audio');
    await fc.assert(
      fc.asyncProperty(org, org, index, org, index, route, async (caller, encounterOwner, encounterIndex, documentOwner, documentIndex, kind) => {
        const base = `/external/v1/encounters/${encounterId(encounterOwner, encounterIndex)}`;
        const path = {
          encounter: base,
          note: `${base}/documents/${noteId(documentOwner, documentIndex)}`,
          transcript: `${base}/documents/${transcriptId(documentOwner, documentIndex)}/transcript`,
          'transcript of a note': `${base}/documents/${noteId(documentOwner, documentIndex)}/transcript`,
          audio: `${base}/documents/${transcriptId(documentOwner, documentIndex)}/audio`,
        }[kind];
        const response = await t.http().get(path).set('Authorization', bearer(TOKENS[caller]));
        expectContractAnswer(response);

        const other: Org = caller === 'a' ? 'b' : 'a';
        expect(response.text).not.toContain(PATIENT_NAMES[other].split(' ')[1]);
        expect(response.text).not.toContain(`pat_fz_${other}`);
        const ownsEncounter = encounterOwner === caller;
        const sameEncounter = kind === 'encounter' || (documentOwner === encounterOwner && documentIndex === encounterIndex);
        if (!ownsEncounter) {
          expect(response.status).toBe(403);
          expect(response.body.reason_code).toBe('cross_organization_denied');
        } else if (!sameEncounter) {
          expect(response.status).toBe(404);
        } else {
          // The positive control: the caller's own resources are served (a note has no transcript, nor a recording here).
          const expected = { encounter: 200, note: 200, transcript: 200, 'transcript of a note': 400, audio: 404 }[kind];
          expect(response.status).toBe(expected);
        }
      }),
      { numRuns: RUNS, seed: SEED },
    );
  });
});
