/**
 * Delivery of `recording.transcript_ready` to a real HTTP receiver on 127.0.0.1 (docs/webhooks.md):
 * body, headers and signatures, retries, 410, redirects, timeouts, rotation, replay and
 * redelivery. Each test has an app of its own whose dispatcher it drives: one pass at a time
 * (`dispatchDue`), with the retry schedule's time moved on the app's clock instead of waited for.
 */
import { WebhookDeliveriesService } from '../../src/webhooks/webhook-deliveries.service';
import { WebhookEndpointsService } from '../../src/webhooks/webhook-endpoints.service';
import { PartnerAllowlistService } from '../../src/partner/partner-allowlist.service';
import { CapturingLogger } from '../support/capturing-logger';
import { assertWebhookMatchesOpenApi } from '../support/openapi-conformance';
import { ALL_ROUTES } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/test-app';
import { WebhookReceiver } from '../support/webhook-receiver';
import { attemptsOf, deliveriesOf, dispatchDue, partnerWithEncounter, transcriptReady, verifiedSignatures, webhookEndpoint } from '../support/webhooks';

const SECRET = 'whsec_delivery_test_secret_0123456789abcdef';
/** WEBHOOK_RETRY_SCHEDULE=1,1,1: a retry is due 0.9 to 1.1 s after a failure (±10% jitter). */
const RETRY_STEP_MS = 1_000;

describe('webhook delivery', () => {
  let logger: CapturingLogger;
  let t: TestApp;
  let receivers: WebhookReceiver[];

  beforeEach(async () => {
    logger = new CapturingLogger();
    receivers = [];
    t = await startTestApp({ env: { WEBHOOK_RETRY_SCHEDULE: '1,1,1' }, logger });
  });
  afterEach(async () => {
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

  /** Moves the app's clock past the next step of the retry schedule, then runs a pass. */
  async function dispatchNextRetry(): Promise<number> {
    t.clock.advance(RETRY_STEP_MS * 1.1 + 1);
    return dispatchDue(t);
  }

  it('POSTs the thin pointer with the five ChartHero headers, signed with the endpoint secret', async () => {
    const { receiver, transcriptReady } = await partnerReceiving('body');
    await transcriptReady('doc_body');
    expect(await dispatchDue(t)).toBe(1);
    const [webhook] = receiver.received;
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
    // The timestamp is the attempt's, on the service's clock.
    expect(webhook.headers['charthero-timestamp']).toMatch(/^\d{10}$/);
    expect(Math.abs(Number(webhook.headers['charthero-timestamp']) - t.clock.now() / 1000)).toBeLessThan(5);
    expect(verifiedSignatures(webhook, [SECRET])).toEqual([true]);
    expect(verifiedSignatures(webhook, ['whsec_some_other_secret_entirely'])).toEqual([false]);
    assertWebhookMatchesOpenApi('recording.transcript_ready', webhook);

    expect(delivery).toMatchObject({ status: 'delivered', attempt_count: 1, next_attempt_at: null });
    expect(await attemptsOf(t.dataSource, delivery.delivery_id)).toEqual([
      { attempt_number: 1, status_code: 200, error: null, duration_ms: expect.any(Number), response_excerpt: null },
    ]);
  });

  it('retries a failing receiver on the schedule with one delivery id, and records every attempt', async () => {
    const { receiver, transcriptReady } = await partnerReceiving('retry');
    receiver.reply({ status: 500, body: 'database is down' }, { status: 502 });
    await transcriptReady('doc_retry');
    expect(await dispatchDue(t)).toBe(1);
    // Not due before the schedule's step: a pass at once attempts nothing.
    expect(await dispatchDue(t)).toBe(0);
    const [pending] = await deliveriesOf(t.dataSource, 'whe_retry');
    const [firstAttempt] = await t.dataSource.query('SELECT attempted_at, duration_ms FROM webhook_delivery_attempts WHERE delivery_id = $1', [pending.delivery_id]);
    // The step is counted from the attempt's end, which is its start and duration.
    const waitedMs = pending.next_attempt_at!.getTime() - firstAttempt.attempted_at.getTime();
    expect(waitedMs).toBeGreaterThanOrEqual(RETRY_STEP_MS * 0.9);
    expect(waitedMs).toBeLessThanOrEqual(RETRY_STEP_MS * 1.1 + firstAttempt.duration_ms + 50);

    expect(await dispatchNextRetry()).toBe(1);
    expect(await dispatchNextRetry()).toBe(1);
    const webhooks = receiver.received;
    expect(webhooks).toHaveLength(3);
    expect(new Set(webhooks.map((w) => w.headers['charthero-delivery-id'])).size).toBe(1);
    expect(new Set(webhooks.map((w) => w.headers['charthero-event-id'])).size).toBe(1);
    expect(new Set(webhooks.map((w) => w.rawBody)).size).toBe(1);
    const [delivery] = await deliveriesOf(t.dataSource, 'whe_retry');
    expect(delivery).toMatchObject({ status: 'delivered', attempt_count: 3 });
    expect((await attemptsOf(t.dataSource, delivery.delivery_id)).map((a) => [a.attempt_number, a.status_code, a.response_excerpt])).toEqual([
      [1, 500, 'database is down'],
      [2, 502, null],
      [3, 200, null],
    ]);
  });

  it('gives up after the last step of the schedule: failed, with every attempt recorded, and never attempted again', async () => {
    const { receiver, transcriptReady } = await partnerReceiving('exhausted');
    receiver.reply({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    await transcriptReady('doc_exhausted');
    expect(await dispatchDue(t)).toBe(1);
    for (let retry = 0; retry < 3; retry += 1) expect(await dispatchNextRetry()).toBe(1);
    const [delivery] = await deliveriesOf(t.dataSource, 'whe_exhausted');
    expect(delivery).toMatchObject({ status: 'failed', attempt_count: 4, next_attempt_at: null });
    t.clock.advance(24 * 3_600_000);
    expect(await dispatchDue(t)).toBe(0);
    expect(receiver.received).toHaveLength(4);
  });

  it('410 Gone disables the endpoint at once: the delivery fails, later events are not queued for it', async () => {
    const { receiver, endpointId, transcriptReady } = await partnerReceiving('gone');
    receiver.reply({ status: 410 });
    await transcriptReady('doc_gone');
    expect(await dispatchDue(t)).toBe(1);
    const [delivery] = await deliveriesOf(t.dataSource, endpointId);
    expect(delivery).toMatchObject({ status: 'failed', attempt_count: 1 });
    expect((await t.app.get(WebhookEndpointsService).requireEndpoint(endpointId)).status).toBe('disabled');

    await transcriptReady('doc_gone_later');
    expect(await deliveriesOf(t.dataSource, endpointId)).toHaveLength(1);
    expect(await dispatchNextRetry()).toBe(0);
    expect(receiver.received).toHaveLength(1);
  });

  it('a redirect is a failure: not followed, retried at the endpoint URL', async () => {
    const { receiver, transcriptReady } = await partnerReceiving('redirect');
    receiver.reply({ status: 302, headers: { Location: '/elsewhere' } }, { status: 307, headers: { Location: '/elsewhere' } });
    await transcriptReady('doc_redirect');
    expect(await dispatchDue(t)).toBe(1);
    expect(await dispatchNextRetry()).toBe(1);
    expect(await dispatchNextRetry()).toBe(1);
    const [delivery] = await deliveriesOf(t.dataSource, 'whe_redirect');
    expect(delivery.status).toBe('delivered');
    expect((await attemptsOf(t.dataSource, delivery.delivery_id)).map((a) => a.status_code)).toEqual([302, 307, 200]);
    expect(receiver.received.map((webhook) => webhook.path)).toEqual(['/hooks', '/hooks', '/hooks']);
  });

  it('honours a Retry-After on 503 when it is longer than the schedule', async () => {
    const { receiver, transcriptReady } = await partnerReceiving('retry_after');
    receiver.reply({ status: 503, headers: { 'Retry-After': '120' } });
    await transcriptReady('doc_retry_after');
    expect(await dispatchDue(t)).toBe(1);
    const [delivery] = await deliveriesOf(t.dataSource, 'whe_retry_after');
    expect(delivery.attempt_count).toBe(1);
    const waitSeconds = (delivery.next_attempt_at!.getTime() - t.clock.now()) / 1000;
    expect(waitSeconds).toBeGreaterThan(110);
    expect(waitSeconds).toBeLessThanOrEqual(120);
    // The schedule's 1 s is not enough; the receiver's 120 s is.
    expect(await dispatchNextRetry()).toBe(0);
    t.clock.advance(120_000);
    expect(await dispatchDue(t)).toBe(1);
  });

  // A real timer under test: the attempt's socket is given up after 10 s of wall-clock time.
  it('a receiver that does not answer times out at 10 s and is retried', async () => {
    const { receiver, transcriptReady } = await partnerReceiving('hanging');
    receiver.reply('hang');
    await transcriptReady('doc_hanging');
    expect(await dispatchDue(t)).toBe(1);
    expect(await dispatchNextRetry()).toBe(1);
    const [delivery] = await deliveriesOf(t.dataSource, 'whe_hanging');
    expect(delivery.status).toBe('delivered');
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
    await dispatchDue(t);
    const [during] = receiver.received;
    expect(String(during.headers['charthero-signature'])).toMatch(/^v1=[0-9a-f]{64} v1=[0-9a-f]{64}$/);
    expect(verifiedSignatures(during, [rotated.secret, SECRET])).toEqual([true, true]);
    assertWebhookMatchesOpenApi('recording.transcript_ready', during);

    const again = await endpoints.rotateSecret(endpointId, 0);
    await transcriptReady('doc_rotation_done');
    await dispatchDue(t);
    const [, after] = receiver.received;
    expect(verifiedSignatures(after, [again.secret])).toEqual([true]);
  });

  it('stops signing with the previous secret once its grace period is over', async () => {
    const { receiver, endpointId, transcriptReady } = await partnerReceiving('grace_over');
    const rotated = await t.app.get(WebhookEndpointsService).rotateSecret(endpointId, 2);
    t.clock.advance(2 * 3_600_000 + 1_000);
    await transcriptReady('doc_grace_over');
    await dispatchDue(t);
    const [webhook] = receiver.received;
    expect(String(webhook.headers['charthero-signature'])).toMatch(/^v1=[0-9a-f]{64}$/);
    expect(verifiedSignatures(webhook, [rotated.secret])).toEqual([true]);
  });

  it('an endpoint created after an event does not get it, until replayed; redeliver sends one delivery again', async () => {
    const name = 'replay';
    await t.load(partnerWithEncounter(name));
    await t.load(transcriptReady(name, 'doc_replay_before'));
    const receiver = await WebhookReceiver.start();
    receivers.push(receiver);
    const { endpointId, secret } = await t.app.get(WebhookEndpointsService).create({ organizationId: `org_${name}`, url: receiver.url() });
    expect(endpointId).toMatch(/^whe_[0-9a-f]{32}$/);
    expect(await dispatchDue(t)).toBe(0);
    expect(receiver.received).toHaveLength(0);
    expect(await deliveriesOf(t.dataSource, endpointId)).toEqual([]);

    const deliveries = t.app.get(WebhookDeliveriesService);
    expect(await deliveries.replay(endpointId, new Date('2026-01-01T00:00:00Z'))).toBe(1);
    expect(await dispatchDue(t)).toBe(1);
    const [replayed] = receiver.received;
    expect(JSON.parse(replayed.rawBody).resources.document_id).toBe('doc_replay_before');
    expect(verifiedSignatures(replayed, [secret])).toEqual([true]);
    const [delivery] = await deliveriesOf(t.dataSource, endpointId);
    expect(delivery.status).toBe('delivered');

    await deliveries.redeliver(delivery.delivery_id);
    expect(await dispatchDue(t)).toBe(1);
    const [, redelivered] = receiver.received;
    expect(redelivered.headers['charthero-delivery-id']).toBe(delivery.delivery_id);
    expect(redelivered.headers['charthero-event-id']).toBe(replayed.headers['charthero-event-id']);
    expect(await deliveriesOf(t.dataSource, endpointId)).toEqual([expect.objectContaining({ status: 'delivered', attempt_count: 2 })]);

    // A replay from after the event queues nothing.
    expect(await deliveries.replay(endpointId, new Date(t.clock.now() + 60_000))).toBe(0);
  });

  it('lists deliveries with their attempts, last result and next attempt', async () => {
    const waiting = await partnerReceiving('listed_waiting');
    waiting.receiver.reply({ status: 503, headers: { 'Retry-After': '120' } });
    await waiting.transcriptReady('doc_listed_waiting');
    const exhausted = await partnerReceiving('listed_failed');
    exhausted.receiver.reply({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    await exhausted.transcriptReady('doc_listed_failed');
    expect(await dispatchDue(t)).toBe(2);
    for (let retry = 0; retry < 3; retry += 1) expect(await dispatchNextRetry()).toBe(1);

    const service = t.app.get(WebhookDeliveriesService);
    expect(await service.list('org_listed_waiting')).toEqual([
      expect.objectContaining({
        eventType: 'recording.transcript_ready',
        endpointId: 'whe_listed_waiting',
        status: 'pending',
        attempts: 1,
        lastResult: '503',
        nextAttemptAt: expect.any(Date),
      }),
    ]);
    expect(await service.list('org_listed_failed', { status: 'failed' })).toEqual([
      expect.objectContaining({ status: 'failed', attempts: 4, lastResult: '500', nextAttemptAt: null }),
    ]);
  });

  it('holds deliveries while the organization is not allowlisted for documents.transcript, and sends them once it is again', async () => {
    const { receiver, endpointId, transcriptReady } = await partnerReceiving('allowlist');
    const allowlist = t.app.get(PartnerAllowlistService);
    await transcriptReady('doc_allowlist');
    expect(await dispatchDue(t)).toBe(1);
    await allowlist.allow(
      'org_allowlist',
      ALL_ROUTES.filter((route) => route !== 'documents.transcript'),
    );
    await t.app.get(WebhookDeliveriesService).redeliver((await deliveriesOf(t.dataSource, endpointId))[0].delivery_id);
    expect(await dispatchNextRetry()).toBe(0);
    expect(receiver.received).toHaveLength(1);
    expect(await deliveriesOf(t.dataSource, endpointId)).toEqual([expect.objectContaining({ status: 'pending', attempt_count: 1 })]);

    await allowlist.allow('org_allowlist', ALL_ROUTES);
    expect(await dispatchDue(t)).toBe(1);
    expect(receiver.received).toHaveLength(2);
    expect(await deliveriesOf(t.dataSource, endpointId)).toEqual([expect.objectContaining({ status: 'delivered', attempt_count: 2 })]);
  });

  it('never writes a signing secret to the log, whatever it logs of failures, 410s and rotations', async () => {
    const failing = await partnerReceiving('logged_failed');
    failing.receiver.reply({ status: 500 }, { status: 500 }, { status: 500 }, { status: 500 });
    const gone = await partnerReceiving('logged_gone');
    gone.receiver.reply({ status: 410 });
    await t.app.get(WebhookEndpointsService).rotateSecret(failing.endpointId, 24);
    await failing.transcriptReady('doc_logged_failed');
    await gone.transcriptReady('doc_logged_gone');
    expect(await dispatchDue(t)).toBe(2);
    for (let retry = 0; retry < 3; retry += 1) expect(await dispatchNextRetry()).toBe(1);

    expect(logger.lines.filter((line) => line.includes('whe_logged_'))).toHaveLength(2);
    expect(logger.lines.filter((line) => line.includes('whsec_'))).toEqual([]);
  });
});
