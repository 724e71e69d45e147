/**
 * SIGTERM to a real server process under load (issue 11): readiness turns 503 at once, every
 * request sent before the signal is answered 200, and the process exits 0 in time; what does not
 * settle is cut off at SHUTDOWN_TIMEOUT_MS.
 */
import { createCliScenario, type CliScenario } from '../support/cli-scenario';
import { pollUntil } from '../support/real-time';
import { failureOf, startServerProcess } from '../support/server-process';
import { apiKey, bearer, encounter, organization, patient, transcriptDocument } from '../support/fixtures';
import { WebhookReceiver } from '../support/webhook-receiver';
import { partnerWithEncounter, webhookEndpoint } from '../support/webhooks';

const TOKEN = 'ch_sk_shutdown_full_access';
const SHUTDOWN_TIMEOUT_MS = 10_000;

describe('graceful shutdown of the server process', () => {
  let scenario: CliScenario;

  beforeAll(async () => {
    scenario = await createCliScenario();
    const encounters = Array.from({ length: 60 }, (_, index) => encounter(`enc_sd_${index}`, 'org_sd', 'pat_sd', `2026-05-${String(1 + (index % 28)).padStart(2, '0')}T14:00:00Z`));
    const seed = {
      organizations: [organization('org_sd')],
      api_keys: [apiKey('key_sd', 'org_sd', TOKEN)],
      patients: [patient('pat_sd', 'org_sd')],
      encounters,
      documents: encounters.map((e) => transcriptDocument(`doc_${e.encounter_id}`, e.encounter_id)),
    };
    expect(await scenario.cli('fixtures', 'load', await scenario.file('seed.json', seed))).toMatchObject({ code: 0 });
  });
  afterAll(() => scenario.close());

  it('answers every request sent before SIGTERM, turns readiness 503, and exits in time', async () => {
    const server = await startServerProcess(scenario, { SHUTDOWN_TIMEOUT_MS: String(SHUTDOWN_TIMEOUT_MS) });
    const { base } = server;
    try {
      let signalledAt = Infinity;
      const outcomes: { sentAt: number; status: number | string }[] = [];
      // 16 clients, each sending list requests one after the other until the server is gone.
      const clients = Array.from({ length: 16 }, async () => {
        for (;;) {
          const sentAt = Date.now();
          try {
            const response = await fetch(`${base}/external/v1/encounters?limit=100`, { headers: { Authorization: bearer(TOKEN) } });
            await response.arrayBuffer();
            outcomes.push({ sentAt, status: response.status });
          } catch (error) {
            outcomes.push({ sentAt, status: failureOf(error as Error) });
            if (sentAt > signalledAt) return;
          }
        }
      });
      // Under load: every client has had answers, and requests are in flight when the signal comes.
      await pollUntil(
        () => outcomes.length,
        (answered) => answered >= 48,
      );
      signalledAt = Date.now();
      server.process.kill('SIGTERM');
      // The signal is handled as soon as the process's event loop gets to it, which says so.
      await pollUntil(
        () => server.output(),
        (output) => output.includes('SIGTERM: draining'),
        { intervalMs: 20 },
      );
      // The listener stays open for a second of grace: readiness answers, in the public error body.
      const readiness = await fetch(`${base}/health/ready`);
      const readinessBody = (await readiness.json()) as { reason_code: string; request_id: string; not_ready: string };

      const { code, signal } = await server.exited;
      const tookMs = Date.now() - signalledAt;
      await Promise.all(clients);

      const beforeSignal = outcomes.filter((outcome) => outcome.sentAt < signalledAt);
      expect(beforeSignal.length).toBeGreaterThan(16);
      expect(beforeSignal.filter((outcome) => outcome.status !== 200)).toEqual([]);
      expect(readiness.status).toBe(503);
      expect(readinessBody.reason_code).toBe('service_unavailable');
      expect(readinessBody.not_ready).toBe('draining');
      expect(readiness.headers.get('retry-after')).toBe('5');
      expect(readiness.headers.get('x-request-id')).toBe(readinessBody.request_id);
      expect(readiness.headers.get('connection')).toBe('close');
      expect(tookMs).toBeLessThan(SHUTDOWN_TIMEOUT_MS);
      expect({ code, signal }).toEqual({ code: 0, signal: null });
      expect(server.output()).toContain('SIGTERM: draining (readiness 503)');
    } finally {
      server.process.kill('SIGKILL');
    }
  });

  it('exits with code 1 at SHUTDOWN_TIMEOUT_MS when something in flight does not settle (a webhook receiver that hangs)', async () => {
    const receiver = await WebhookReceiver.start();
    receiver.reply('hang');
    try {
      const fixture = {
        ...partnerWithEncounter('sd_hang'),
        webhook_endpoints: [webhookEndpoint('whe_sd_hang', 'org_sd_hang', receiver.url(), 'whsec_shutdown_secret_0123456789')],
        documents: [transcriptDocument('doc_sd_hang', 'enc_sd_hang')],
      };
      expect(await scenario.cli('fixtures', 'load', await scenario.file('hang.json', fixture))).toMatchObject({ code: 0 });
      const server = await startServerProcess(scenario, { SHUTDOWN_TIMEOUT_MS: '2000' });
      try {
        // The attempt is in flight, and will not end before its own 10 s timeout.
        await receiver.waitFor(1);
        const signalledAt = Date.now();
        server.process.kill('SIGTERM');
        const ended = await server.exited;
        expect(ended).toEqual({ code: 1, signal: null });
        expect(Date.now() - signalledAt).toBeGreaterThanOrEqual(2_000);
        expect(Date.now() - signalledAt).toBeLessThan(4_000);
        expect(server.output()).toContain('shutdown took longer than SHUTDOWN_TIMEOUT_MS (2000 ms): exiting now');
      } finally {
        server.process.kill('SIGKILL');
      }
    } finally {
      await receiver.close();
    }
  });
});
