import request from 'supertest';
import { apiKey, bearer, encounter, organization, patient } from '../support/fixtures';
import { startTestApp, TestApp } from '../support/test-app';

const TOKEN = 'ch_sk_json_responses_full';
const DETAIL = '/external/v1/encounters/enc_json';

/**
 * What the HTTP layer writes, byte for byte: compact UTF-8 JSON and its byte length (HEAD:
 * test/e2e/http-edges.e2e-spec.ts). Read raw here, past the OpenAPI check of `t.http()`.
 */
describe('JSON responses', () => {
  let t: TestApp;
  beforeAll(async () => {
    t = await startTestApp();
    await t.load({
      organizations: [organization('org_json')],
      api_keys: [apiKey('key_json', 'org_json', TOKEN)],
      // Multi-byte characters: Content-Length counts bytes, not characters.
      patients: [patient('pat_json', 'org_json', { first_name: 'Zoë', last_name: 'Åström-李' })],
      encounters: [encounter('enc_json', 'org_json', 'pat_json', '2026-05-25T14:00:00Z')],
    });
  });
  afterAll(() => t.close());

  it('are compact JSON in UTF-8, with the byte length as Content-Length', async () => {
    const response = await request(t.app.getHttpServer())
      .get(DETAIL)
      .set('Authorization', bearer(TOKEN))
      .buffer(true)
      .parse((res, done) => {
        const chunks: Buffer[] = [];
        res.on('data', (chunk: Buffer) => chunks.push(chunk));
        res.on('end', () => done(null, Buffer.concat(chunks)));
      });
    expect(response.status).toBe(200);
    const bytes = response.body as Buffer;
    expect(response.headers['content-type']).toBe('application/json; charset=utf-8');
    expect(response.headers['content-length']).toBe(String(bytes.length));
    const text = bytes.toString('utf8');
    expect(text).toBe(JSON.stringify(JSON.parse(text)));
    expect(JSON.parse(text).encounter.patient).toMatchObject({ first_name: 'Zoë', last_name: 'Åström-李' });
    expect(response.headers['cache-control']).toBe('no-store');
  });

  it('are the same for error bodies and the health route', async () => {
    const error = await t.http().get('/external/v1/encounters/enc_missing').set('Authorization', bearer(TOKEN));
    expect(error.status).toBe(404);
    expect(error.headers['content-type']).toBe('application/json; charset=utf-8');
    const health = await t.http().get('/health');
    expect(health.status).toBe(200);
    expect(health.headers['content-type']).toBe('application/json; charset=utf-8');
  });
});
