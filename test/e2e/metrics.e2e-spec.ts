/**
 * Prometheus metrics on METRICS_PORT (docs/operations.md "Runbook"): scraped over HTTP from the
 * app's own listener after real requests, webhook deliveries to a real receiver, and on
 * PostgreSQL a real pool.
 */
import { apiKey, bearer, encounter, organization, patient } from '../support/fixtures';
import { freePort } from '../support/server-process';
import { startTestApp, type TestApp } from '../support/test-app';
import { usingPostgres } from '../support/test-database';
import { WebhookReceiver } from '../support/webhook-receiver';
import { deliveriesOf, dispatchDue, partnerWithEncounter, transcriptReady, webhookEndpoint } from '../support/webhooks';
import { WebhookDeliveriesService } from '../../src/webhooks/webhook-deliveries.service';
import { WebhookEndpointsService } from '../../src/webhooks/webhook-endpoints.service';

const TOKEN = 'ch_sk_metrics_full_access';

/** The samples of a scrape: `name{labels}` → value. */
function samplesOf(text: string): Map<string, number> {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const at = line.lastIndexOf(' ');
    samples.set(line.slice(0, at), Number(line.slice(at + 1)));
  }
  return samples;
}

describe('metrics', () => {
  let t: TestApp;
  let metricsUrl: string;
  let receiver: WebhookReceiver;

  const scrape = async () => {
    const response = await fetch(metricsUrl);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/plain; version=0\.0\.4/);
    return samplesOf(await response.text());
  };

  // An app of its own for each test: the counts it reads are the test's own requests.
  beforeEach(async () => {
    const port = await freePort();
    metricsUrl = `http://127.0.0.1:${port}/metrics`;
    receiver = await WebhookReceiver.start();
    t = await startTestApp({ env: { METRICS_PORT: String(port), WEBHOOK_RETRY_SCHEDULE: '1,1' } });
    await t.load({
      organizations: [organization('org_metrics')],
      api_keys: [apiKey('key_metrics', 'org_metrics', TOKEN)],
      patients: [patient('pat_metrics', 'org_metrics')],
      encounters: [encounter('enc_metrics', 'org_metrics', 'pat_metrics', '2026-05-25T14:00:00Z')],
    });
  });
  afterEach(async () => {
    await t.close();
    await receiver.close();
  });

  it('counts requests by route id and status, with their durations', async () => {
    for (let i = 0; i < 3; i++) await t.http().get('/external/v1/encounters').set('Authorization', bearer(TOKEN)).expect(200);
    await t.http().get('/external/v1/encounters/enc_none').set('Authorization', bearer(TOKEN)).expect(404);
    await t.http().get('/external/v1/encounters').expect(401);
    await t.http().get('/health/live').expect(200);
    await t.http().get('/no/such/route').expect(404);

    const samples = await scrape();
    expect(samples.get('charthero_http_requests_total{route="encounters.list",status="200"}')).toBe(3);
    expect(samples.get('charthero_http_requests_total{route="encounters.read",status="404"}')).toBe(1);
    expect(samples.get('charthero_http_requests_total{route="encounters.list",status="401"}')).toBe(1);
    expect(samples.get('charthero_http_requests_total{route="GET /health/live",status="200"}')).toBe(1);
    expect(samples.get('charthero_http_requests_total{route="unmatched",status="404"}')).toBe(1);
    expect(samples.get('charthero_http_request_duration_seconds_count{route="encounters.list",status="200"}')).toBe(3);
    expect(samples.get('charthero_http_request_duration_seconds_sum{route="encounters.list",status="200"}')).toBeGreaterThan(0);
    expect(samples.get('charthero_http_request_duration_seconds_bucket{le="+Inf",route="encounters.list",status="200"}')).toBe(3);
  });

  it('counts key and allowlist cache hits and misses', async () => {
    // Time moves only when the test says, however slow the machine is.
    t.clock.freeze();
    try {
      await t.http().get('/external/v1/encounters').set('Authorization', bearer(TOKEN)).expect(200);
      const before = await scrape();
      // The caches keep an entry for a second: once it has passed, the first of two requests in a row misses, the second hits.
      t.clock.advance(1_001);
      await t.http().get('/external/v1/encounters').set('Authorization', bearer(TOKEN)).expect(200);
      await t.http().get('/external/v1/encounters').set('Authorization', bearer(TOKEN)).expect(200);
      const after = await scrape();
      const delta = (name: string) => (after.get(name) ?? 0) - (before.get(name) ?? 0);
      expect(delta('charthero_cache_lookups_total{cache="api_keys",result="miss"}')).toBe(1);
      expect(delta('charthero_cache_lookups_total{cache="api_keys",result="hit"}')).toBe(1);
      expect(delta('charthero_cache_lookups_total{cache="partner_allowlists",result="miss"}')).toBe(1);
      expect(delta('charthero_cache_lookups_total{cache="partner_allowlists",result="hit"}')).toBe(1);
    } finally {
      t.clock.thaw();
    }
  });

  it('counts webhook attempts by outcome, and shows the queue', async () => {
    receiver.reply({ status: 500 });
    await t.load({
      ...partnerWithEncounter('wh_metrics'),
      webhook_endpoints: [webhookEndpoint('whe_metrics', 'org_wh_metrics', receiver.url(), 'whsec_metrics_secret_0123456789')],
    });
    await t.load(transcriptReady('wh_metrics', 'doc_wh_metrics'));
    expect((await scrape()).get('charthero_webhook_queue_depth{state="due"}')).toBe(1);
    // A 500, then a 200 a retry step later.
    await dispatchDue(t);
    const retrying = await scrape();
    expect(retrying.get('charthero_webhook_delivery_attempts_total{outcome="retry_scheduled"}')).toBe(1);
    expect(retrying.get('charthero_webhook_queue_depth{state="due"}')).toBe(0);
    expect(retrying.get('charthero_webhook_queue_depth{state="scheduled"}')).toBe(1);
    t.clock.advance(1_101);
    await dispatchDue(t);
    const samples = await scrape();
    expect(samples.get('charthero_webhook_delivery_attempts_total{outcome="delivered"}')).toBe(1);
    expect(samples.get('charthero_webhook_delivery_attempts_total{outcome="retry_scheduled"}')).toBe(1);
    expect(samples.get('charthero_webhook_queue_depth{state="due"}')).toBe(0);
    expect(samples.get('charthero_webhook_queue_depth{state="scheduled"}')).toBe(0);

    // Redelivered to an endpoint that is now disabled, the delivery waits, due.
    await t.app.get(WebhookEndpointsService).setStatus('whe_metrics', 'disabled');
    const [delivery] = await deliveriesOf(t.dataSource, 'whe_metrics');
    await t.app.get(WebhookDeliveriesService).redeliver(delivery.delivery_id);
    expect((await scrape()).get('charthero_webhook_queue_depth{state="due"}')).toBe(1);
  });

  it("exports Node's process metrics", async () => {
    const samples = await scrape();
    expect(samples.get('process_resident_memory_bytes')).toBeGreaterThan(0);
    expect(samples.get('nodejs_heap_size_used_bytes')).toBeGreaterThan(0);
    expect([...samples.keys()].some((name) => name.startsWith('nodejs_eventloop_lag_p99_seconds'))).toBe(true);
  });

  it('is not served on the partner port', async () => {
    const response = await t.http().get('/metrics').expect(404);
    expect(response.body).toMatchObject({ reason_code: 'route_not_found' });
  });

  it('answers 404 for anything but GET /metrics on its own port', async () => {
    expect((await fetch(metricsUrl.replace('/metrics', '/'))).status).toBe(404);
    expect((await fetch(metricsUrl, { method: 'POST' })).status).toBe(404);
  });

  it('shows the request pool on PostgreSQL (connections in use and idle, requests waiting); the embedded database has none', async () => {
    await t.http().get('/external/v1/encounters').set('Authorization', bearer(TOKEN)).expect(200);
    const samples = await scrape();
    const pool = ['charthero_db_pool_connections{state="in_use"}', 'charthero_db_pool_connections{state="idle"}', 'charthero_db_pool_waiting_requests'].map((name) =>
      samples.get(name),
    );
    if (usingPostgres()) {
      expect(pool[0]).toBe(0);
      expect(pool[1]).toBeGreaterThanOrEqual(1);
      expect(pool[2]).toBe(0);
    } else {
      expect(pool).toEqual([undefined, undefined, 0]);
    }
  });
});
