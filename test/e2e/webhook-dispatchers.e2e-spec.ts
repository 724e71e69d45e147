/**
 * Many dispatchers on one database (CONTRACT.md "Webhooks", "Many instances"): each attempt is
 * made by exactly one of them, and a dispatcher that dies mid-attempt leaves the delivery to
 * another once its lease has expired.
 */
import { once } from 'node:events';
import { spawnCli } from '../support/cli-process';
import { startTestApp, type TestApp } from '../support/test-app';
import { borrowed, createTestDatabase, type TestDatabase, usingPostgres } from '../support/test-database';
import { WebhookReceiver } from '../support/webhook-receiver';
import { attemptsOf, deliveriesOf, eventually, partnerWithEncounter, transcriptReady, webhookEndpoint } from '../support/webhooks';
import { transcriptDocument } from '../support/fixtures';
import { WebhookDispatcher } from '../../src/webhooks/webhook-dispatcher.service';

const SECRET = 'whsec_dispatchers_test_secret_0123456789';
const DISPATCHING = { WEBHOOK_DISPATCH: 'true', WEBHOOK_RETRY_SCHEDULE: '1,1,1' };

describe('two app instances dispatching from one database', () => {
  let database: TestDatabase;
  let instances: TestApp[];
  let receiver: WebhookReceiver;

  beforeAll(async () => {
    database = await createTestDatabase();
    const shared = borrowed(database);
    instances = [await startTestApp({ database: shared, env: DISPATCHING }), await startTestApp({ database: shared, env: DISPATCHING })];
    receiver = await WebhookReceiver.start();
  });
  afterAll(async () => {
    for (const instance of instances) await instance.close();
    await database.drop();
    await receiver.close();
  });

  it('ten events: each delivered exactly once', async () => {
    // A slow receiver keeps attempts in flight while both dispatchers poll.
    receiver.reply(...Array.from({ length: 10 }, () => ({ status: 200, delay: 300 })));
    const [first] = instances;
    await first.load({ ...partnerWithEncounter('pair'), webhook_endpoints: [webhookEndpoint('whe_pair', 'org_pair', receiver.url(), SECRET)] });
    await first.load({ documents: Array.from({ length: 10 }, (_, index) => transcriptDocument(`doc_pair_${index}`, 'enc_pair')) });

    const webhooks = await receiver.waitFor(10);
    const deliveries = await eventually(() => deliveriesOf(first.dataSource, 'whe_pair'), (rows) => rows.every((row) => row.status === 'delivered'));
    // Time for a second attempt of any of them to arrive, were one to be made.
    await new Promise((resolve) => setTimeout(resolve, 2_500));

    expect(receiver.received).toHaveLength(10);
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
(usingPostgres() ? describe : describe.skip)('a dispatcher killed mid-attempt (PostgreSQL)', () => {
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
    const doomed = spawnCli(['webhooks', 'dispatch'], { ...database.env, WEBHOOK_RETRY_SCHEDULE: '1,1,1' });
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

      survivor = await startTestApp({ database: shared, env: DISPATCHING });
      const [, retried] = await receiver.waitFor(2, 30_000);
      expect(retried.headers['charthero-delivery-id']).toBe(hung.headers['charthero-delivery-id']);
      // Not the retry schedule's 1 s: the claim's lease (10 s attempt timeout and a margin) had to expire.
      expect(retried.receivedAt - hung.receivedAt).toBeGreaterThan(10_000);
      const [delivery] = await eventually(() => deliveriesOf(survivor!.dataSource, 'whe_killed'), ([row]) => row.status === 'delivered');
      // The killed attempt was never recorded: the survivor's is the first.
      expect(await attemptsOf(survivor.dataSource, delivery.delivery_id)).toEqual([expect.objectContaining({ attempt_number: 1, status_code: 200 })]);
    } finally {
      doomed.kill('SIGKILL');
      await survivor?.close();
    }
  });
});
