/**
 * Many dispatchers on one database (docs/webhooks.md "Dispatchers"): each attempt is
 * made by exactly one of them, and a dispatcher that dies mid-attempt leaves the delivery to
 * another once its lease has expired.
 */
import { once } from 'node:events';
import { spawnCli } from '../support/cli-process';
import { startTestApp, type TestApp } from '../support/test-app';
import { describeWith } from '../support/services';
import { borrowed, createTestDatabase, type TestDatabase } from '../support/test-database';
import { WebhookReceiver } from '../support/webhook-receiver';
import { attemptsOf, deliveriesOf, dispatchDue, partnerWithEncounter, transcriptReady, webhookEndpoint } from '../support/webhooks';
import { transcriptDocument } from '../support/fixtures';
import { CLAIM_LEASE_MS, WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.service';

const SECRET = 'whsec_dispatchers_test_secret_0123456789';
const RETRY_SCHEDULE = { WEBHOOK_RETRY_SCHEDULE: '1,1,1' };

describe('two app instances dispatching from one database', () => {
  let database: TestDatabase;
  let instances: TestApp[];
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    database = await createTestDatabase();
    const shared = borrowed(database);
    // Their own loops off: the test runs their passes, both at once.
    instances = [await startTestApp({ database: shared, env: RETRY_SCHEDULE }), await startTestApp({ database: shared, env: RETRY_SCHEDULE })];
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    for (const instance of instances) await instance.close();
    await database.drop();
    await receiver.close();
  });

  it('ten events: each delivered exactly once', async () => {
    const [first] = instances;
    await first.load({ ...partnerWithEncounter('pair'), webhook_endpoints: [webhookEndpoint('whe_pair', 'org_pair', receiver.url(), SECRET)] });
    await first.load({ documents: Array.from({ length: 10 }, (_, index) => transcriptDocument(`doc_pair_${index}`, 'enc_pair')) });

    const passes = await Promise.all(instances.map(dispatchDue));
    expect(passes[0] + passes[1]).toBe(10);
    const deliveries = await deliveriesOf(first.dataSource, 'whe_pair');
    expect(deliveries.map((row) => row.status)).toEqual(Array(10).fill('delivered'));
    // Past the retry schedule's step, both look again: nothing is attempted a second time.
    for (const instance of instances) instance.clock.advance(1_101);
    expect(await Promise.all(instances.map(dispatchDue))).toEqual([0, 0]);

    const webhooks = receiver.received;
    expect(webhooks).toHaveLength(10);
    expect(new Set(webhooks.map((webhook) => webhook.headers['charthero-event-id'])).size).toBe(10);
    expect(new Set(webhooks.map((webhook) => webhook.headers['charthero-delivery-id']))).toEqual(new Set(deliveries.map((row) => row.delivery_id)));
    expect(deliveries.map((row) => row.attempt_count)).toEqual(Array(10).fill(1));
    for (const delivery of deliveries) expect(await attemptsOf(first.dataSource, delivery.delivery_id)).toHaveLength(1);
  });
});

describe('claims made at the same moment by two instances', () => {
  let database: TestDatabase;
  let instances: TestApp[];

  beforeAll(async () => {
    database = await createTestDatabase();
    const shared = borrowed(database);
    // Their own loops off: the test makes the claims, all at once.
    instances = [await startTestApp({ database: shared }), await startTestApp({ database: shared })];
  });
  afterAll(async () => {
    for (const instance of instances) await instance.close();
    await database.drop();
  });

  it('never hand the same delivery to both', async () => {
    const [first] = instances;
    await first.load({ ...partnerWithEncounter('race'), webhook_endpoints: [webhookEndpoint('whe_race', 'org_race', 'http://127.0.0.1:9/unused', SECRET)] });
    await first.load({ documents: Array.from({ length: 40 }, (_, index) => transcriptDocument(`doc_race_${index}`, 'enc_race')) });

    const claimedBy: string[][] = [[], []];
    for (let round = 0; round < 20; round += 1) {
      const claims = await Promise.all(instances.map((instance) => instance.app.get(WebhookDispatcher).claimDue(3)));
      claims.forEach((claimed, index) => claimedBy[index].push(...claimed.map((delivery) => delivery.deliveryId)));
    }
    const all = [...claimedBy[0], ...claimedBy[1]];
    expect(all).toHaveLength(40);
    expect(new Set(all).size).toBe(40);
  });
});

// A dispatcher of its own process, killed: PGlite is one process's database, so PostgreSQL only.
describeWith('postgres', 'a dispatcher killed mid-attempt', () => {
  let database: TestDatabase;
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    database = await createTestDatabase();
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    await database.drop();
    await receiver.close();
  });

  it('leaves the delivery to another dispatcher once its lease expires', async () => {
    const shared = borrowed(database);
    receiver.reply('hang');
    const doomed = await spawnCli(['webhooks', 'dispatch'], { ...database.env, ...RETRY_SCHEDULE });
    let survivor: TestApp | null = null;
    try {
      // The event is written while the CLI's dispatcher is the only one.
      const writer = await startTestApp({ database: shared });
      await writer.load({ ...partnerWithEncounter('killed'), webhook_endpoints: [webhookEndpoint('whe_killed', 'org_killed', receiver.url(), SECRET)] });
      await writer.load(transcriptReady('killed', 'doc_killed'));
      await writer.close();
      const [hung] = await receiver.waitFor(1, 30_000);
      doomed.kill('SIGKILL');
      await once(doomed, 'exit');

      survivor = await startTestApp({ database: shared, env: RETRY_SCHEDULE });
      // Not after the retry schedule's 1 s: the claim's lease (10 s attempt timeout and a margin) has to expire.
      survivor.clock.advance(1_101);
      expect(await dispatchDue(survivor)).toBe(0);
      survivor.clock.advance(CLAIM_LEASE_MS);
      expect(await dispatchDue(survivor)).toBe(1);
      const [, retried] = receiver.received;
      expect(retried.headers['charthero-delivery-id']).toBe(hung.headers['charthero-delivery-id']);
      const [delivery] = await deliveriesOf(survivor.dataSource, 'whe_killed');
      expect(delivery.status).toBe('delivered');
      // The killed attempt was never recorded: the survivor's is the first.
      expect(await attemptsOf(survivor.dataSource, delivery.delivery_id)).toEqual([expect.objectContaining({ attempt_number: 1, status_code: 200 })]);
    } finally {
      doomed.kill('SIGKILL');
      await survivor?.close();
    }
  });
});
