/**
 * Webhooks in production (NODE_ENV=production): endpoints must be https and public, checked
 * on the resolved address at every attempt; without WEBHOOK_SECRET_KEY nothing is created or
 * dispatched and the API keeps serving.
 */
import { randomBytes } from 'node:crypto';
import { WebhookEndpointEntity } from '../../src/webhooks/entities/webhook-endpoint.entity';
import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.service';
import { WebhookEndpointsService } from '../../src/webhooks/webhook-endpoints.service';
import { WebhookSecretCipher } from '../../src/webhooks/webhook-secret-cipher';
import { CapturingLogger } from '../support/capturing-logger';
import { startTestApp, type TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';
import { attemptsOf, deliveriesOf, dispatchDue, partnerWithEncounter, transcriptReady, webhookEndpoint } from '../support/webhooks';

const SECRET = 'whsec_production_test_secret_0123456789';
const PRODUCTION = { NODE_ENV: 'production', API_KEY_DIGEST_SECRET: 'production-digest-secret', WEBHOOK_RETRY_SCHEDULE: '60' };

describe('in production, endpoint addresses', () => {
  let t: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    t = await startTestApp({ env: { ...PRODUCTION, WEBHOOK_SECRET_KEY: randomBytes(32).toString('base64') } });
    receiver = await WebhookReceiver.start();
    await t.load(partnerWithEncounter('prod'));
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it.each([
    ['http://partner.example.com/hooks', /must be https/],
    [`https://127.0.0.1:${4000}/hooks`, /"127.0.0.1" is not a public address/],
    ['https://localhost/hooks', /"localhost" is not a public address/],
    ['https://[::1]/hooks', /"::1" is not a public address/],
    ['https://[::ffff:10.1.2.3]/hooks', /is not a public address/],
    ['https://10.0.0.8/hooks', /"10.0.0.8" is not a public address/],
    ['https://192.168.1.20/hooks', /is not a public address/],
    ['https://169.254.169.254/latest/meta-data', /"169.254.169.254" is not a public address/],
    ['https://100.64.0.1/hooks', /is not a public address/],
    ['https://user:pass@partner.example.com/hooks', /must not carry credentials/],
  ])('webhooks create refuses %s and stores nothing', async (url, problem) => {
    await expect(t.app.get(WebhookEndpointsService).create({ organizationId: 'org_prod', url })).rejects.toThrow(problem);
    expect(await t.dataSource.getRepository(WebhookEndpointEntity).countBy({ url })).toBe(0);
  });

  it('a fixture endpoint follows the same rules', async () => {
    await expect(t.load({ webhook_endpoints: [webhookEndpoint('whe_prod_fixture', 'org_prod', receiver.url(), SECRET)] })).rejects.toThrow(
      /webhook_endpoints\[0\] \(whe_prod_fixture\): url: the URL must be https/,
    );
    expect(await t.dataSource.getRepository(WebhookEndpointEntity).countBy({ endpointId: 'whe_prod_fixture' })).toBe(0);
  });

  it('accepts an https URL of a public name', async () => {
    const { endpointId } = await t.app.get(WebhookEndpointsService).create({ organizationId: 'org_prod', url: 'https://hooks.partner.example.com/charthero' });
    await t.app.get(WebhookEndpointsService).delete(endpointId);
  });

  it('refuses, at delivery time, a name that resolves to 127.0.0.1, and a private literal address: nothing reaches the receiver', async () => {
    // Registered while their names resolved publicly, as far as the check at creation could tell.
    const cipher = t.app.get(WebhookSecretCipher);
    const registered = (endpointId: string, url: string) => ({
      endpointId,
      organizationId: 'org_prod',
      url,
      events: ['recording.transcript_ready' as const],
      secretCiphertext: cipher.encrypt(endpointId, SECRET),
    });
    await t.dataSource
      .getRepository(WebhookEndpointEntity)
      .insert([registered('whe_prod_rebound', `https://localhost:${receiver.port}/hooks`), registered('whe_prod_literal', `https://127.0.0.1:${receiver.port}/hooks`)]);
    await t.load(transcriptReady('prod', 'doc_prod'));
    expect(await dispatchDue(t)).toBe(2);

    for (const endpointId of ['whe_prod_rebound', 'whe_prod_literal']) {
      const [delivery] = await deliveriesOf(t.dataSource, endpointId);
      expect(delivery).toMatchObject({ status: 'pending', attempt_count: 1 }); // retried on the schedule: the name may resolve publicly again
      expect(await attemptsOf(t.dataSource, delivery.delivery_id)).toEqual([expect.objectContaining({ status_code: null, error: 'target_not_public' })]);
    }
    expect(receiver.received).toHaveLength(0);
  });
});

describe('in production without WEBHOOK_SECRET_KEY', () => {
  const logger = new CapturingLogger();
  let t: TestApp;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    t = await startTestApp({ env: { ...PRODUCTION, WEBHOOK_DISPATCH: 'true' }, logger });
    receiver = await WebhookReceiver.start();
    await t.load(partnerWithEncounter('nokey'));
  });
  afterAll(async () => {
    await t.close();
    await receiver.close();
  });

  it('warns at start', () => {
    expect(logger.lines.some((line) => line.includes('WEBHOOK_SECRET_KEY is not set') && line.includes('nothing is dispatched'))).toBe(true);
  });

  it('creates no endpoint, by the CLI service or a fixture, and stores nothing', async () => {
    await expect(t.app.get(WebhookEndpointsService).create({ organizationId: 'org_nokey', url: 'https://hooks.partner.example.com/in' })).rejects.toThrow(
      'WEBHOOK_SECRET_KEY is not set: webhook endpoints cannot be created',
    );
    await expect(t.load({ webhook_endpoints: [webhookEndpoint('whe_nokey', 'org_nokey', 'https://hooks.partner.example.com/in', SECRET)] })).rejects.toThrow(
      'WEBHOOK_SECRET_KEY is not set',
    );
    const endpoints = t.dataSource.getRepository(WebhookEndpointEntity);
    expect(await endpoints.countBy({ url: 'https://hooks.partner.example.com/in' })).toBe(0);
    expect(await endpoints.countBy({ endpointId: 'whe_nokey' })).toBe(0);
  });

  it('dispatches nothing, and keeps serving the API', async () => {
    // WEBHOOK_DISPATCH=true, yet no loop runs, and a pass made by hand attempts nothing.
    // An endpoint left from a deployment that had the key.
    await t.dataSource.getRepository(WebhookEndpointEntity).insert({
      endpointId: 'whe_nokey_left',
      organizationId: 'org_nokey',
      url: receiver.url(),
      events: ['recording.transcript_ready'],
      secretCiphertext: 'v1.unreadable-without-the-key',
    });
    await t.load(transcriptReady('nokey', 'doc_nokey'));
    expect(t.app.get(WebhookDispatcher).start()).toBe(false);
    expect(await dispatchDue(t)).toBe(0);
    expect(await deliveriesOf(t.dataSource, 'whe_nokey_left')).toEqual([expect.objectContaining({ status: 'pending', attempt_count: 0 })]);
    expect(receiver.received).toHaveLength(0);
    await t.http().get('/health').expect(200);
  });
});
