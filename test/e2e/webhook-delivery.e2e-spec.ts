/**
 * Delivery of `recording.transcript_ready` to a real HTTP receiver on 127.0.0.1 (CONTRACT.md
 * "Webhooks"): body, headers and signatures, retries, 410, redirects, timeouts, rotation,
 * replay and redelivery. The retry schedule is shortened to seconds; everything else is as served.
 */
import { WebhookDeliveriesService } from '../../src/webhooks/webhook-deliveries.service';
import { WebhookEndpointsService } from '../../src/webhooks/webhook-endpoints.service';
import { PartnerAllowlistService } from '../../src/partner/partner-allowlist.service';
import { CapturingLogger } from '../support/capturing-logger';
import { assertWebhookMatchesOpenApi } from '../support/openapi-conformance';
import { ALL_ROUTES } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';
import { attemptsOf, deliveriesOf, eventually, partnerWithEncounter, transcriptReady, verifiedSignatures, webhookEndpoint } from '../support/webhooks';

const SECRET = 'whsec_delivery_test_secret_0123456789abcdef';

describe('webhook delivery', () => {
  const logger = new CapturingLogger();
  let t: TestApp;
  const receivers: WebhookReceiver[] = [];

  beforeAll(async () => {
    t = await startTestApp({ env: { WEBHOOK_DISPATCH: 'true', WEBHOOK_RETRY_SCHEDULE: '1,1,1' }, logger });
  });
  afterAll(async () => {
    await t.close();
    await Promise.all(receivers.map((receiver) => receiver.close()));
  });

  /** A partner named `name` with one endpoint `whe_<name>` at a fresh receiver. */
  async function partnerReceiving(name: string, endpoint: Record<string, unknown> = {}) {
    const receiver = await WebhookReceiver.start();
    receivers.push(receiver);
    await t.load({ ...partnerWithEncounter(name), webhook_endpoints: [webhookEndpoint(`whe_${name}`, `org_${name}`, receiver.url(), SECRET, endpoint)] });
    return { receiver, endpointId: `whe_${name}`, transcriptReady: (documentId: string) => t.load(transcriptReady(name, documentId)) };
  }

  it('POSTs the thin pointer with the five ChartHero headers, signed with the endpoint secret', async () => {
    const { receiver, transcriptReady } = await partnerReceiving('body');
    await transcriptReady('doc_body');
    const [webhook] = await receiver.waitFor(1);
    const [event] = await t.dataSource.query('SELECT event_id, occurred_at FROM webhook_events WHERE document_id = $1', ['doc_body']);
    const [delivery] = await deliveriesOf(t.dataSource, 'whe_body');

    const occurredAt = new Date(Math.floor(event.occurred_at.getTime() / 1000) * 1000).toISOString().replace('.000Z', 'Z');
    expect(webhook.rawBody).toBe(
      `{"id":"${event.event_id}","type":"recording.transcript_ready","api_version":"2026-05-01","occurred_at":"${occurredAt}",` +
        `"organization_id":"org_body","resources":{"encounter_id":"enc_body","document_id":"doc_body"}}`,
    );
    expect(webhook.headers).toMatchObject({
      'content-type': 'application/json',
      'charthero-event-id': event.event_id,
      'charthero-delivery-id': delivery.delivery_id,
      'charthero-webhook-version': '2026-05-01',
      'charthero-signature': expect.stringMatching(/^v1=[0-9a-f]{64}$/),
    });
    expect(delivery.delivery_id).toMatch(/^whd_[0-9a-f]{32}$/);
    const timestamp = Number(webhook.headers['charthero-timestamp']);
    expect(String(timestamp)).toMatch(/^\d{10}$/);
    expect(Math.abs(timestamp - webhook.receivedAt / 1000)).toBeLessThan(5);
    expect(verifiedSignatures(webhook, [SECRET])).toEqual([true]);
    expect(verifiedSignatures(webhook, ['whsec_some_other_secret_entirely'])).toEqual([false]);
    assertWebhookMatchesOpenApi('recording.transcript_ready', webhook);

    const delivered = await eventually(() => deliveriesOf(t.dataSource, 'whe_body'), ([row]) => row.status === 'delivered');
    expect(delivered).toEqual([expect.objectContaining({ status: 'delivered', attempt_count: 1, next_attempt_at: null })]);
    expect(await attemptsOf(t.dataSource, delivery.delivery_id)).toEqual([
      { attempt_number: 1, status_code: 200, error: null, duration_ms: expect.any(Number), response_excerpt: null },
    ]);
  });

  it('retries a failing receiver on the schedule with one delivery id, and records every attempt', async () => {
    const { receiver, transcriptReady } = await partnerReceiving('retry');
    receiver.reply({ status: 500, body: 'database is down' }, { status: 502 });
    await transcriptReady('doc_retry');
    const webhooks = await receiver.waitFor(3);

    expect(new Set(webhooks.map((w) => w.headers['charthero-delivery-id'])).size).toBe(1);
    expect(new Set(webhooks.map((w) => w.headers['charthero-event-id'])).size).toBe(1);
    expect(new Set(webhooks.map((w) => w.rawBody)).size).toBe(1);
    // WEBHOOK_RETRY_SCHEDULE=1,1,1 with ±10% jitter (and up to one poll interval of lateness).
    for (const [previous, next] of [[0, 1], [1, 2]]) {
      expect(webhooks[next].receivedAt - webhooks[previous].receivedAt).toBeGreaterThanOrEqual(850);
    }
    const [delivery] = await eventually(() => deliveriesOf(t.dataSource, 'whe_retry'), ([row]) => row.status === 'delivered');
    expect(delivery.attempt_count).toBe(3);
    expect((await attemptsOf(t.dataSource, delivery.delivery_id)).map((a) => [a.attempt_number, a.status_code, a.response_excerpt])).toEqual([
      [1, 500, 'database is down'],
      [2, 502, null],
      [3, 200, null],
    ]);
  });

  it('gives up after the last step of the schedule: failed, with every attempt recorded', async () => {
    const { receiver, transcriptReady } = await partnerReceiving('exhausted');
    receiver.reply({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    await transcriptReady('doc_exhausted');
    await receiver.waitFor(4);
    const [delivery] = await eventually(() => deliveriesOf(t.dataSource, 'whe_exhausted'), ([row]) => row.status === 'failed');
    expect(delivery).toMatchObject({ attempt_count: 4, next_attempt_at: null });
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(receiver.received).toHaveLength(4);
  });

  it('410 Gone disables the endpoint at once: the delivery fails, later events are not queued for it', async () => {
    const { receiver, endpointId, transcriptReady } = await partnerReceiving('gone');
    receiver.reply({ status: 410 });
    await transcriptReady('doc_gone');
    await receiver.waitFor(1);
    const [delivery] = await eventually(() => deliveriesOf(t.dataSource, endpointId), ([row]) => row.status === 'failed');
    expect(delivery.attempt_count).toBe(1);
    expect((await t.app.get(WebhookEndpointsService).requireEndpoint(endpointId)).status).toBe('disabled');

    await transcriptReady('doc_gone_later');
    expect(await deliveriesOf(t.dataSource, endpointId)).toHaveLength(1);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(receiver.received).toHaveLength(1);
  });

  it('a redirect is a failure: not followed, retried at the endpoint URL', async () => {
    const { receiver, transcriptReady } = await partnerReceiving('redirect');
    receiver.reply({ status: 302, headers: { Location: '/elsewhere' } }, { status: 307, headers: { Location: '/elsewhere' } });
    await transcriptReady('doc_redirect');
    await receiver.waitFor(3);
    const [delivery] = await eventually(() => deliveriesOf(t.dataSource, 'whe_redirect'), ([row]) => row.status === 'delivered');
    expect((await attemptsOf(t.dataSource, delivery.delivery_id)).map((a) => a.status_code)).toEqual([302, 307, 200]);
    expect(receiver.received.map((webhook) => webhook.path)).toEqual(['/hooks', '/hooks', '/hooks']);
  });

  it('honours a Retry-After on 503 when it is longer than the schedule', async () => {
    const { receiver, transcriptReady } = await partnerReceiving('retry_after');
    receiver.reply({ status: 503, headers: { 'Retry-After': '120' } });
    await transcriptReady('doc_retry_after');
    await receiver.waitFor(1);
    const [delivery] = await eventually(() => deliveriesOf(t.dataSource, 'whe_retry_after'), ([row]) => row.attempt_count === 1);
    const waitSeconds = (delivery.next_attempt_at!.getTime() - Date.now()) / 1000;
    expect(waitSeconds).toBeGreaterThan(110);
    expect(waitSeconds).toBeLessThanOrEqual(121);
  });

  it('a receiver that does not answer times out at 10 s and is retried', async () => {
    const { receiver, transcriptReady } = await partnerReceiving('hanging');
    receiver.reply('hang');
    await transcriptReady('doc_hanging');
    await receiver.waitFor(2, 20_000);
    const [delivery] = await eventually(() => deliveriesOf(t.dataSource, 'whe_hanging'), ([row]) => row.status === 'delivered');
    const [first, second] = await attemptsOf(t.dataSource, delivery.delivery_id);
    expect(first).toMatchObject({ status_code: null, error: 'timeout' });
    expect(first.duration_ms).toBeGreaterThanOrEqual(9_900);
    expect(first.duration_ms).toBeLessThan(11_000);
    expect(second).toMatchObject({ status_code: 200, error: null });
  });

  it('signs with both secrets during a rotation grace period, the new one first; with no grace, the new one only', async () => {
    const { receiver, endpointId, transcriptReady } = await partnerReceiving('rotation');
    const endpoints = t.app.get(WebhookEndpointsService);
    const rotated = await endpoints.rotateSecret(endpointId, 24);
    expect(rotated.secret).toMatch(/^whsec_[A-Za-z0-9_-]{43}$/);
    await transcriptReady('doc_rotation_grace');
    const [during] = await receiver.waitFor(1);
    expect(String(during.headers['charthero-signature'])).toMatch(/^v1=[0-9a-f]{64} v1=[0-9a-f]{64}$/);
    expect(verifiedSignatures(during, [rotated.secret, SECRET])).toEqual([true, true]);
    assertWebhookMatchesOpenApi('recording.transcript_ready', during);

    const again = await endpoints.rotateSecret(endpointId, 0);
    await transcriptReady('doc_rotation_done');
    const [, after] = await receiver.waitFor(2);
    expect(verifiedSignatures(after, [again.secret])).toEqual([true]);
  });

  it('an endpoint created after an event does not get it, until replayed; redeliver sends one delivery again', async () => {
    const name = 'replay';
    await t.load(partnerWithEncounter(name));
    await t.load(transcriptReady(name, 'doc_replay_before'));
    const receiver = await WebhookReceiver.start();
    receivers.push(receiver);
    const { endpointId, secret } = await t.app.get(WebhookEndpointsService).create({ organizationId: `org_${name}`, url: receiver.url() });
    expect(endpointId).toMatch(/^whe_[0-9a-f]{32}$/);
    await new Promise((resolve) => setTimeout(resolve, 1_500));
    expect(receiver.received).toHaveLength(0);
    expect(await deliveriesOf(t.dataSource, endpointId)).toEqual([]);

    const deliveries = t.app.get(WebhookDeliveriesService);
    expect(await deliveries.replay(endpointId, new Date('2026-01-01T00:00:00Z'))).toBe(1);
    const [replayed] = await receiver.waitFor(1);
    expect(JSON.parse(replayed.rawBody).resources.document_id).toBe('doc_replay_before');
    expect(verifiedSignatures(replayed, [secret])).toEqual([true]);
    const [delivery] = await eventually(() => deliveriesOf(t.dataSource, endpointId), ([row]) => row?.status === 'delivered');

    await deliveries.redeliver(delivery.delivery_id);
    const [, redelivered] = await receiver.waitFor(2);
    expect(redelivered.headers['charthero-delivery-id']).toBe(delivery.delivery_id);
    expect(redelivered.headers['charthero-event-id']).toBe(replayed.headers['charthero-event-id']);
    await eventually(() => deliveriesOf(t.dataSource, endpointId), ([row]) => row.status === 'delivered' && row.attempt_count === 2);

    // A replay from after the event queues nothing.
    expect(await deliveries.replay(endpointId, new Date(Date.now() + 60_000))).toBe(0);
  });

  it('lists deliveries with their attempts, last result and next attempt', async () => {
    const rows = await t.app.get(WebhookDeliveriesService).list('org_retry_after');
    expect(rows).toEqual([
      expect.objectContaining({ eventType: 'recording.transcript_ready', endpointId: 'whe_retry_after', status: 'pending', attempts: 1, lastResult: '503', nextAttemptAt: expect.any(Date) }),
    ]);
    expect(await t.app.get(WebhookDeliveriesService).list('org_exhausted', { status: 'failed' })).toEqual([
      expect.objectContaining({ status: 'failed', attempts: 4, lastResult: '500', nextAttemptAt: null }),
    ]);
  });

  it('holds deliveries while the organization is not allowlisted for documents.transcript, and sends them once it is again', async () => {
    const { receiver, endpointId, transcriptReady } = await partnerReceiving('allowlist');
    const allowlist = t.app.get(PartnerAllowlistService);
    await transcriptReady('doc_allowlist');
    await eventually(() => deliveriesOf(t.dataSource, endpointId), ([row]) => row?.status === 'delivered');
    await allowlist.allow('org_allowlist', ALL_ROUTES.filter((route) => route !== 'documents.transcript'));
    await t.app.get(WebhookDeliveriesService).redeliver((await deliveriesOf(t.dataSource, endpointId))[0].delivery_id);
    await new Promise((resolve) => setTimeout(resolve, 2_000));
    expect(receiver.received).toHaveLength(1);
    expect(await deliveriesOf(t.dataSource, endpointId)).toEqual([expect.objectContaining({ status: 'pending', attempt_count: 1 })]);

    await allowlist.allow('org_allowlist', ALL_ROUTES);
    await receiver.waitFor(2);
    await eventually(() => deliveriesOf(t.dataSource, endpointId), ([row]) => row.status === 'delivered' && row.attempt_count === 2);
  });

  it('never writes a signing secret to the log', () => {
    expect(logger.lines.length).toBeGreaterThan(0);
    expect(logger.lines.filter((line) => line.includes('whsec_'))).toEqual([]);
  });
});
