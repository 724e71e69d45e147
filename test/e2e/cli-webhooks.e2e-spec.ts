import { once } from 'node:events';
import { createCliScenario, type CliScenario } from '../support/cli-scenario';
import { encounter, organization, patient, transcriptDocument } from '../support/fixtures';
import { WebhookReceiver } from '../support/webhook-receiver';
import { verifiedSignatures } from '../support/webhooks';

const TRANSCRIPT = { provider: 'deepgram', turns: [{ speaker: 'clinician', start: 0, end: 1.2, text: 'Hello.' }] };

/** The webhooks CLI (docs/operations.md), run as `npm run cli` runs it, on one database with real receivers. */
describe('npm run cli: webhooks', () => {
  let scenario: CliScenario;
  const receivers: WebhookReceiver[] = [];
  const cli = (...args: string[]) => scenario.cli(...args);

  beforeAll(async () => {
    scenario = await createCliScenario();
    const notPartner = { organizations: [organization('org_hooks_not_partner', { partnerRoutes: null })] };
    expect(await cli('fixtures', 'load', await scenario.file('not-partner.json', notPartner))).toMatchObject({ code: 0, stderr: '' });
  });
  afterAll(async () => {
    await scenario.close();
    await Promise.all(receivers.map((receiver) => receiver.close()));
  });

  /**
   * A partner `org_<name>` of its own, with an untranscribed `doc_<name>`, and an endpoint made
   * with `webhooks create` at a receiver of its own: what `create` printed, and the receiver.
   */
  async function partnerWithEndpoint(name: string) {
    const fixture = {
      organizations: [organization(`org_${name}`)],
      patients: [patient(`pat_${name}`, `org_${name}`)],
      encounters: [encounter(`enc_${name}`, `org_${name}`, `pat_${name}`, '2026-05-25T14:00:00Z')],
      documents: [transcriptDocument(`doc_${name}`, `enc_${name}`, { transcript: null })],
    };
    expect(await cli('fixtures', 'load', await scenario.file(`${name}.json`, fixture))).toMatchObject({ code: 0, stderr: '' });
    const receiver = await WebhookReceiver.start();
    receivers.push(receiver);
    const created = await cli('webhooks', 'create', '--org', `org_${name}`, '--url', receiver.url(), '--events', 'recording.transcript_ready');
    expect(created).toMatchObject({ code: 0, stderr: '' });
    const [, endpointId] = /Created webhook endpoint (whe_[0-9a-f]{32}) for org_\w+\./.exec(created.stdout) ?? [];
    const [, secret] = /shown this once only.*: (whsec_[A-Za-z0-9_-]{43})$/m.exec(created.stdout) ?? [];
    expect(endpointId).toBeDefined();
    expect(secret).toBeDefined();
    return { organizationId: `org_${name}`, documentId: `doc_${name}`, endpointId, secret, receiver };
  }

  /** Lines of `webhooks list` for an organization, its header first. */
  const listed = async (organizationId: string) => (await cli('webhooks', 'list', '--org', organizationId)).stdout.trim().split('\n');

  it('create prints the endpoint id and its signing secret once; list shows it, never the secret', async () => {
    const { endpointId, receiver } = await partnerWithEndpoint('hooks_create');
    const list = await cli('webhooks', 'list', '--org', 'org_hooks_create');
    expect(list).toMatchObject({ code: 0, stderr: '' });
    expect(list.stdout.split('\n')[0].split(/\s+/)).toEqual(['ENDPOINT_ID', 'STATUS', 'EVENTS', 'PENDING', 'FAILED', 'PREVIOUS_SECRET_UNTIL', 'CREATED_AT', 'URL']);
    expect(list.stdout).toContain(`${endpointId}  enabled  recording.transcript_ready`);
    expect(list.stdout).toContain(receiver.url());
    expect(list.stdout).not.toContain('whsec_');
  });

  it('create refuses what it must, with one line and exit code 1', async () => {
    const { organizationId, receiver } = await partnerWithEndpoint('hooks_refused');
    const before = await listed(organizationId);
    const refusals: [string[], string][] = [
      [['--org', 'org_hooks_not_partner', '--url', receiver.url()], 'error: organization "org_hooks_not_partner" is not a partner: endpoints are for allowlisted partners only\n'],
      [['--org', organizationId, '--url', 'ftp://example.com/in'], 'error: the URL must be http or https, got "ftp:"\n'],
      [['--org', organizationId, '--url', receiver.url(), '--events', 'encounter.created'], 'error: unknown event type "encounter.created" (known: recording.transcript_ready)\n'],
    ];
    for (const [args, stderr] of refusals) expect(await cli('webhooks', 'create', ...args)).toEqual({ code: 1, stdout: '', stderr });
    expect(await listed(organizationId)).toEqual(before);
    expect(await listed('org_hooks_not_partner')).toHaveLength(1);
  });

  it('webhooks dispatch, as a process, delivers signed with the printed secret, and settles the attempt in flight on SIGTERM', async () => {
    const { organizationId, documentId, endpointId, secret, receiver } = await partnerWithEndpoint('hooks_dispatch');
    expect(await cli('transcripts', 'put', documentId, await scenario.file('transcript.json', TRANSCRIPT))).toMatchObject({ code: 0, stderr: '' });
    // Still answering when the signal comes: the dispatcher must wait for it and record it.
    receiver.reply({ status: 200, delay: 1_500 });
    const dispatcher = await scenario.spawn('webhooks', 'dispatch');
    let stdout = '';
    dispatcher.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()));
    const exited = once(dispatcher, 'exit') as Promise<[number]>;
    let webhook;
    try {
      [webhook] = await receiver.waitFor(1, 30_000);
    } finally {
      dispatcher.kill('SIGTERM');
    }
    const [code] = await exited;

    expect(code).toBe(0);
    expect(stdout).toBe('Dispatching webhook deliveries. SIGINT or SIGTERM stops after the attempts in flight.\nSIGTERM: settling the attempts in flight.\nStopped.\n');
    expect(JSON.parse(webhook.rawBody)).toMatchObject({
      type: 'recording.transcript_ready',
      organization_id: organizationId,
      resources: { encounter_id: 'enc_hooks_dispatch', document_id: documentId },
    });
    expect(verifiedSignatures(webhook, [secret])).toEqual([true]);

    const deliveries = await cli('webhooks', 'deliveries', '--org', organizationId, '--status', 'delivered');
    expect(deliveries).toMatchObject({ code: 0, stderr: '' });
    const row = deliveries.stdout.split('\n')[1].split(/\s+/);
    expect(row.slice(0, 7)).toEqual([
      webhook.headers['charthero-delivery-id'],
      webhook.headers['charthero-event-id'],
      'recording.transcript_ready',
      endpointId,
      'delivered',
      '1',
      '200',
    ]);
  });

  it('rotate-secret prints the new secret once; redeliver and replay queue again; refusals change nothing', async () => {
    const { organizationId, documentId, endpointId } = await partnerWithEndpoint('hooks_requeue');
    const rotated = await cli('webhooks', 'rotate-secret', endpointId, '--grace-hours', '2');
    expect(rotated).toMatchObject({ code: 0, stderr: '' });
    expect(rotated.stdout).toMatch(
      /signed with both secrets \(v1=<new> v1=<old>\) until \d{4}-\d\d-\d\dT\d\d:\d\d:\d\dZ\.\nNew signing secret, shown this once only and never again: whsec_[A-Za-z0-9_-]{43}\n$/,
    );
    expect(await cli('webhooks', 'rotate-secret', endpointId, '--grace-hours', '2h')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: --grace-hours must be a whole number, got "2h"\n',
    });

    // A delivery waiting for a dispatcher (none runs here).
    expect(await cli('transcripts', 'put', documentId, await scenario.file('requeue-transcript.json', TRANSCRIPT))).toMatchObject({ code: 0, stderr: '' });
    const [deliveryId] = (await cli('webhooks', 'deliveries', '--org', organizationId)).stdout.split('\n')[1].split(/\s+/);
    expect(deliveryId).toMatch(/^whd_[0-9a-f]{32}$/);
    expect(await cli('webhooks', 'redeliver', deliveryId)).toEqual({ code: 0, stdout: `Queued delivery ${deliveryId} again: a dispatcher sends it within seconds.\n`, stderr: '' });
    expect(await cli('webhooks', 'redeliver', 'whd_missing')).toEqual({ code: 1, stdout: '', stderr: 'error: unknown delivery "whd_missing"\n' });
    expect(await cli('webhooks', 'replay', '--endpoint', endpointId, '--since', '2026-01-01T00:00:00Z')).toMatchObject({
      code: 0,
      stdout: `Queued 1 delivery to webhook endpoint ${endpointId} (events since 2026-01-01T00:00:00Z).\n`,
    });
    expect(await cli('webhooks', 'replay', '--endpoint', endpointId, '--since', 'yesterday')).toEqual({
      code: 1,
      stdout: '',
      stderr: 'error: --since "yesterday" is not an RFC 3339 date-time with an offset, like 2026-05-25T00:00:00Z\n',
    });
    expect((await cli('webhooks', 'deliveries', '--org', organizationId, '--status', 'pending')).stdout).toContain(`${deliveryId}`);
  });

  it('disable, enable and delete', async () => {
    const { endpointId } = await partnerWithEndpoint('hooks_lifecycle');
    expect(await cli('webhooks', 'disable', endpointId)).toMatchObject({ code: 0, stdout: expect.stringContaining(`Webhook endpoint ${endpointId} is now disabled`) });
    expect(await cli('webhooks', 'replay', '--endpoint', endpointId, '--since', '2026-01-01T00:00:00Z')).toEqual({
      code: 1,
      stdout: '',
      stderr: `error: endpoint "${endpointId}" is disabled: enable it first\n`,
    });
    expect(await cli('webhooks', 'enable', endpointId)).toMatchObject({ code: 0, stdout: expect.stringContaining('is now enabled') });
    expect(await cli('webhooks', 'delete', endpointId)).toEqual({ code: 0, stdout: `Deleted webhook endpoint ${endpointId} and its deliveries.\n`, stderr: '' });
    expect(await cli('webhooks', 'delete', endpointId)).toEqual({ code: 1, stdout: '', stderr: `error: unknown webhook endpoint "${endpointId}"\n` });
  });
});
