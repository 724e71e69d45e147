/**
 * examples/webhook-receiver: a real delivery from the dispatcher is verified end to end and the
 * transcript fetched with the typed client; tampered, stale and unknown-version requests are
 * refused; a repeated event is acknowledged and not handled twice. The receiver hands an event
 * to `onEvent` before its 204 reaches the sender, so once a POST is answered, whether it was
 * handled is known.
 */
import { createHmac } from 'node:crypto';
import type { Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { PartnerClient, type TranscriptBody } from '../../examples/partner-sync/partner-client';
import { createWebhookReceiver, type TranscriptReadyEvent } from '../../examples/webhook-receiver/receiver';
import { apiKey } from '../support/fixtures';
import { startTestApp, type TestApp } from '../support/test-app';
import { WebhookReceiver, type ReceivedWebhook } from '../support/webhook-receiver';
import { dispatchDue, partnerWithEncounter, transcriptReady, webhookEndpoint } from '../support/webhooks';

const SECRET = 'whsec_example_receiver_secret_0123456789';
const TOKEN = 'ch_sk_example_receiver_key';

describe('examples/webhook-receiver', () => {
  let t: TestApp;
  let example: Server;
  let capture: WebhookReceiver;
  /** Every event the example handed to `onEvent`, in order, and the handling of each. */
  const events: TranscriptReadyEvent[] = [];
  const handlings: Promise<{ event: TranscriptReadyEvent; transcript: TranscriptBody }>[] = [];
  let delivered: ReceivedWebhook;

  const exampleUrl = () => `http://127.0.0.1:${(example.address() as AddressInfo).port}/charthero`;
  const post = (headers: Record<string, string>, body: string) => fetch(exampleUrl(), { method: 'POST', headers, body });
  const headersOf = (webhook: ReceivedWebhook) =>
    Object.fromEntries(Object.entries(webhook.headers).filter(([name]) => name.startsWith('charthero-') || name === 'content-type')) as Record<string, string>;
  const sign = (timestamp: number, body: string) => `v1=${createHmac('sha256', SECRET).update(`${timestamp}.${body}`).digest('hex')}`;

  beforeAll(async () => {
    t = await startTestApp();
    await t.app.listen(0, '127.0.0.1');
    const client = new PartnerClient({ baseUrl: await t.app.getUrl(), apiKey: TOKEN });
    example = createWebhookReceiver({
      secrets: [SECRET],
      onEvent: async (event) => {
        events.push(event);
        const handling = client.getTranscript(event.resources.encounter_id, event.resources.document_id).then((transcript) => ({ event, transcript }));
        handlings.push(handling);
        await handling;
      },
    });
    await new Promise<void>((resolve) => example.listen(0, '127.0.0.1', resolve));
    // A second endpoint of the same organization keeps a copy of the exact request.
    capture = await WebhookReceiver.start();
    await t.load({
      ...partnerWithEncounter('example'),
      api_keys: [apiKey('key_example', 'org_example', TOKEN)],
      webhook_endpoints: [webhookEndpoint('whe_example', 'org_example', exampleUrl(), SECRET), webhookEndpoint('whe_example_copy', 'org_example', capture.url(), SECRET)],
    });
    // The real delivery every test looks at: the dispatcher's pass POSTs to both endpoints.
    await t.load(transcriptReady('example', 'doc_example'));
    expect(await dispatchDue(t)).toBe(2);
    [delivered] = capture.received;
  });
  afterAll(async () => {
    await t.close();
    await new Promise((resolve) => example.close(resolve));
    await capture.close();
  });

  it('verifies a real delivery and fetches its transcript with the typed client', async () => {
    const handled = await Promise.all(handlings);
    expect(handled[0].event).toMatchObject({ id: delivered.headers['charthero-event-id'], resources: { encounter_id: 'enc_example', document_id: 'doc_example' } });
    expect(handled[0].transcript.transcript.turns).toEqual([{ speaker: 'clinician', start: 0, end: 1.6, text: 'Good morning.' }]);
    const [delivery] = await t.dataSource.query(`SELECT status FROM webhook_deliveries WHERE endpoint_id = 'whe_example'`);
    expect(delivery.status).toBe('delivered');
  });

  it('acknowledges the same event again without handling it twice', async () => {
    const before = events.length;
    const response = await post(headersOf(delivered), delivered.rawBody);
    expect(response.status).toBe(204);
    expect(events).toHaveLength(before);
  });

  it('refuses a tampered body, a stale timestamp and an unknown signature version, handling nothing', async () => {
    const before = events.length;
    const headers = headersOf(delivered);
    const tampered = delivered.rawBody.replace('doc_example', 'doc_other');
    const fresh = () => ({ ...headers, 'charthero-event-id': 'evt_new', 'charthero-timestamp': String(Math.floor(Date.now() / 1000)) });

    const tamperedResponse = await post(headers, tampered);
    expect([tamperedResponse.status, await tamperedResponse.text()]).toEqual([401, 'no_valid_signature']);

    const staleTimestamp = Math.floor(Date.now() / 1000) - 301;
    const stale = await post({ ...fresh(), 'charthero-timestamp': String(staleTimestamp), 'charthero-signature': sign(staleTimestamp, delivered.rawBody) }, delivered.rawBody);
    expect([stale.status, await stale.text()]).toEqual([401, 'stale_timestamp']);

    const now = Math.floor(Date.now() / 1000);
    const unknownVersion = await post(
      { ...fresh(), 'charthero-timestamp': String(now), 'charthero-signature': sign(now, delivered.rawBody).replace('v1=', 'v2=') },
      delivered.rawBody,
    );
    expect([unknownVersion.status, await unknownVersion.text()]).toEqual([401, 'no_valid_signature']);

    // The control: the same request signed properly now is accepted.
    const genuine = await post({ ...fresh(), 'charthero-timestamp': String(now), 'charthero-signature': sign(now, delivered.rawBody) }, delivered.rawBody);
    expect(genuine.status).toBe(204);
    expect(events.slice(before).map((event) => event.resources.document_id)).toEqual(['doc_example']);
    expect((await Promise.all(handlings)).at(-1)!.transcript.transcript.turns).toHaveLength(1);
  });
});
