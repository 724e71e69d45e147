/**
 * `recording.transcript_ready` is recorded by the database in the transaction of the write that
 * gives an ambient transcript of a clinical encounter its transcript, whoever writes it, with
 * one delivery per endpoint enabled and subscribed at that moment (docs/webhooks.md "When an event is sent").
 */
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { Client } from 'pg';
import { TranscriptsService } from '../../src/encounters/transcripts.service';
import { WebhookEndpointEntity } from '../../src/webhooks/entities/webhook-endpoint.entity';
import { ALL_ROUTES, encounter, noteDocument, organization, patient, transcriptDocument } from '../support/fixtures';
import { recordingFiles, type RecordingFiles } from '../support/recordings';
import { startTestApp, type TestApp } from '../support/test-app';
import { itWith } from '../support/services';

const ORG = 'org_events';
const TRANSCRIPT = { provider: 'deepgram', turns: [{ speaker: 'clinician', start: 0, end: 1.6, text: 'Good morning.' }] };

interface EventRow {
  event_id: string;
  type: string;
  organization_id: string;
  encounter_id: string;
  document_id: string;
}

describe('recording.transcript_ready events', () => {
  let t: TestApp;

  beforeAll(async () => {
    t = await startTestApp();
    await t.load({
      organizations: [
        organization(ORG),
        organization('org_events_other'),
        organization('org_events_no_transcripts', { partnerRoutes: ALL_ROUTES.filter((route) => route !== 'documents.transcript') }),
      ],
      patients: [patient('pat_events', ORG), patient('pat_events_other', 'org_events_other'), patient('pat_events_nt', 'org_events_no_transcripts')],
      encounters: [
        encounter('enc_events', ORG, 'pat_events', '2026-05-25T14:00:00Z'),
        encounter('enc_events_demo', ORG, 'pat_events', '2026-05-25T14:00:00Z', { purpose: 'demo' }),
        encounter('enc_events_training', ORG, 'pat_events', '2026-05-25T14:00:00Z', { purpose: 'training' }),
        encounter('enc_events_other', 'org_events_other', 'pat_events_other', '2026-05-25T14:00:00Z'),
        encounter('enc_events_nt', 'org_events_no_transcripts', 'pat_events_nt', '2026-05-25T14:00:00Z'),
      ],
    });
    // Endpoints as `webhooks create` will write them (the secret is not read by these tests).
    await t.dataSource
      .getRepository(WebhookEndpointEntity)
      .insert([
        endpoint('whe_events_subscribed', ORG),
        endpoint('whe_events_disabled', ORG, { status: 'disabled' }),
        endpoint('whe_events_unsubscribed', ORG, { events: [] }),
        endpoint('whe_events_other', 'org_events_other'),
        endpoint('whe_events_no_transcripts', 'org_events_no_transcripts'),
      ]);
  });
  afterAll(() => t.close());

  const events = (documentId: string) =>
    t.dataSource.query<EventRow[]>('SELECT event_id, type, organization_id, encounter_id, document_id FROM webhook_events WHERE document_id = $1', [documentId]);
  const deliveries = (documentId: string) =>
    t.dataSource.query<{ delivery_id: string; endpoint_id: string; status: string }[]>(
      `SELECT d.delivery_id, d.endpoint_id, d.status FROM webhook_deliveries d JOIN webhook_events e ON e.event_id = d.event_id
       WHERE e.document_id = $1 ORDER BY d.endpoint_id`,
      [documentId],
    );
  const setTranscript = (documentId: string, transcript: object | null = TRANSCRIPT) =>
    t.dataSource.query('UPDATE documents SET transcript = $2 WHERE document_id = $1', [documentId, transcript === null ? null : JSON.stringify(transcript)]);

  it('a transcript loaded with its document: one event, one delivery per subscribed endpoint of the organization', async () => {
    await t.load({ documents: [transcriptDocument('doc_events_loaded', 'enc_events')] });
    const [event] = await events('doc_events_loaded');
    expect(event).toEqual({
      event_id: expect.stringMatching(/^evt_[0-9a-f]{32}$/),
      type: 'recording.transcript_ready',
      organization_id: ORG,
      encounter_id: 'enc_events',
      document_id: 'doc_events_loaded',
    });
    expect(await events('doc_events_loaded')).toHaveLength(1);
    expect(await deliveries('doc_events_loaded')).toEqual([{ delivery_id: expect.stringMatching(/^whd_[0-9a-f]{32}$/), endpoint_id: 'whe_events_subscribed', status: 'pending' }]);
  });

  it('a transcript written later by another writer (plain SQL): one event then, none for a second write', async () => {
    await t.load({ documents: [transcriptDocument('doc_events_later', 'enc_events', { transcript: null })] });
    expect(await events('doc_events_later')).toEqual([]);
    await setTranscript('doc_events_later');
    expect(await events('doc_events_later')).toHaveLength(1);
    await setTranscript('doc_events_later', { ...TRANSCRIPT, provider: 'another' });
    await t.dataSource.query(`UPDATE documents SET title = 'Renamed' WHERE document_id = 'doc_events_later'`);
    expect(await events('doc_events_later')).toHaveLength(1);
  });

  it('a transcript removed and written again is news again', async () => {
    await t.load({ documents: [transcriptDocument('doc_events_again', 'enc_events')] });
    await setTranscript('doc_events_again', null);
    await setTranscript('doc_events_again');
    expect(await events('doc_events_again')).toHaveLength(2);
  });

  it('a rolled-back write leaves no event and no delivery', async () => {
    await t.load({ documents: [transcriptDocument('doc_events_rolled_back', 'enc_events', { transcript: null })] });
    await expect(
      t.dataSource.transaction(async (manager) => {
        await manager.query('UPDATE documents SET transcript = $2 WHERE document_id = $1', ['doc_events_rolled_back', JSON.stringify(TRANSCRIPT)]);
        throw new Error('the write fails after the transcript');
      }),
    ).rejects.toThrow('the write fails after the transcript');
    expect(await events('doc_events_rolled_back')).toEqual([]);
    expect(
      await t.dataSource.query(`SELECT count(*)::int AS count FROM webhook_deliveries d JOIN webhook_events e USING (event_id) WHERE e.document_id = 'doc_events_rolled_back'`),
    ).toEqual([{ count: 0 }]);
  });

  it.each([
    ['a demo encounter', transcriptDocument('doc_events_demo', 'enc_events_demo')],
    ['a training encounter', transcriptDocument('doc_events_training', 'enc_events_training')],
    ['a note', noteDocument('doc_events_note', 'enc_events')],
    ['another document type', noteDocument('doc_events_avs', 'enc_events', { schema_type: 'after_visit_summary', content: null })],
    ['an ambient transcript without a transcript', transcriptDocument('doc_events_pending', 'enc_events', { transcript: null })],
  ])('%s: no event', async (_name, document) => {
    await t.load({ documents: [document] });
    expect(await events(document.document_id)).toEqual([]);
  });

  it('another organization’s endpoints get its own events only; a partner without documents.transcript gets none', async () => {
    await t.load({ documents: [transcriptDocument('doc_events_other', 'enc_events_other'), transcriptDocument('doc_events_nt', 'enc_events_nt')] });
    expect((await deliveries('doc_events_other')).map((delivery) => delivery.endpoint_id)).toEqual(['whe_events_other']);
    expect(await events('doc_events_nt')).toHaveLength(1);
    expect(await deliveries('doc_events_nt')).toEqual([]);
  });

  it('an endpoint created after an event does not get it', async () => {
    // An organization of its own: the endpoint it adds would get every later test's events.
    await t.load({
      organizations: [organization('org_events_late')],
      patients: [patient('pat_events_late', 'org_events_late')],
      encounters: [encounter('enc_events_late', 'org_events_late', 'pat_events_late', '2026-05-25T14:00:00Z')],
    });
    await t.dataSource.getRepository(WebhookEndpointEntity).insert(endpoint('whe_events_early', 'org_events_late'));
    await t.load({ documents: [transcriptDocument('doc_events_before_endpoint', 'enc_events_late')] });
    await t.dataSource.getRepository(WebhookEndpointEntity).insert(endpoint('whe_events_late', 'org_events_late'));
    await t.load({ documents: [transcriptDocument('doc_events_after_endpoint', 'enc_events_late')] });
    expect((await deliveries('doc_events_before_endpoint')).map((delivery) => delivery.endpoint_id)).toEqual(['whe_events_early']);
    expect((await deliveries('doc_events_after_endpoint')).map((delivery) => delivery.endpoint_id)).toEqual(['whe_events_early', 'whe_events_late']);
  });

  describe('transcripts put (what the recording pipeline does)', () => {
    let files: RecordingFiles;
    beforeAll(async () => {
      files = await recordingFiles();
      await t.load({ documents: [transcriptDocument('doc_events_put_refused', 'enc_events', { transcript: null }), noteDocument('doc_events_put_note', 'enc_events')] });
    });
    afterAll(() => files.remove());

    const transcriptFile = async (name: string, content: string) => {
      const path = join(files.dir, name);
      await writeFile(path, content);
      return path;
    };
    const put = async (documentId: string, content: unknown) =>
      t.app.get(TranscriptsService).putFromFile(documentId, await transcriptFile(`${documentId}.json`, typeof content === 'string' ? content : JSON.stringify(content)));

    it('a first transcript records the event; a second one does not', async () => {
      await t.load({ documents: [transcriptDocument('doc_events_put', 'enc_events', { transcript: null })] });
      expect(await put('doc_events_put', TRANSCRIPT)).toEqual({ documentId: 'doc_events_put', turns: 1, replaced: false, eventRecorded: true });
      expect(await events('doc_events_put')).toHaveLength(1);
      expect(await put('doc_events_put', { provider: 'another', turns: [] })).toEqual({ documentId: 'doc_events_put', turns: 0, replaced: true, eventRecorded: false });
      expect(await events('doc_events_put')).toHaveLength(1);
      const [row] = await t.dataSource.query<{ transcript: unknown }[]>(`SELECT transcript FROM documents WHERE document_id = 'doc_events_put'`);
      expect(row.transcript).toEqual({ provider: 'another', turns: [] });
    });

    it('a demo encounter’s first transcript: written, no event', async () => {
      await t.load({ documents: [transcriptDocument('doc_events_put_demo', 'enc_events_demo', { transcript: null })] });
      expect(await put('doc_events_put_demo', TRANSCRIPT)).toMatchObject({ replaced: false, eventRecorded: false });
      expect(await events('doc_events_put_demo')).toEqual([]);
    });

    it.each([
      ['not JSON', 'doc_events_put_refused', '{ "provider": ', /^".*doc_events_put_refused\.json" is not valid JSON/],
      ['no provider', 'doc_events_put_refused', { turns: [] }, /^".*": provider must be a string$/],
      [
        'a turn without a number',
        'doc_events_put_refused',
        { provider: 'p', turns: [{ speaker: 's', start: 'soon', end: 1, text: 't' }] },
        /^".*": turns\.0: start must be a number/,
      ],
      ['an unknown field', 'doc_events_put_refused', { ...TRANSCRIPT, audio_url: 'x' }, /^".*": property audio_url should not exist$/],
      ['an array', 'doc_events_put_refused', [TRANSCRIPT], /must hold a JSON object/],
      ['an unknown document', 'doc_events_put_unknown', TRANSCRIPT, 'unknown document "doc_events_put_unknown"'],
      ['a note', 'doc_events_put_note', TRANSCRIPT, 'document "doc_events_put_note" has schema_type "document": only ambient_transcript documents have a transcript'],
    ])('refuses %s, writing nothing', async (_name, documentId, content, message) => {
      const before = await t.dataSource.query(`SELECT transcript, updated_at FROM documents WHERE document_id = $1`, [documentId]);
      await expect(put(documentId, content)).rejects.toThrow(message);
      expect(await t.dataSource.query(`SELECT transcript, updated_at FROM documents WHERE document_id = $1`, [documentId])).toEqual(before);
      expect(await events(documentId)).toEqual([]);
    });
  });

  // The embedded database is one in-process session: no second writer to race.
  itWith('postgres', 'two writers filling the same transcript at once: exactly one event', async () => {
    await t.load({ documents: [transcriptDocument('doc_events_race', 'enc_events', { transcript: null })] });
    const url = (t.dataSource.options as { url: string }).url;
    const [first, second] = [new Client({ connectionString: url }), new Client({ connectionString: url })];
    await Promise.all([first.connect(), second.connect()]);
    try {
      const write = (client: Client) => client.query('UPDATE documents SET transcript = $2 WHERE document_id = $1', ['doc_events_race', JSON.stringify(TRANSCRIPT)]);
      await first.query('BEGIN');
      await second.query('BEGIN');
      await write(first);
      const secondWrite = write(second); // waits for the first's row lock
      await first.query('COMMIT');
      await secondWrite;
      await second.query('COMMIT');
    } finally {
      await Promise.all([first.end(), second.end()]);
    }
    expect(await events('doc_events_race')).toHaveLength(1);
  });
});

function endpoint(endpointId: string, organizationId: string, overrides: Partial<WebhookEndpointEntity> = {}): Partial<WebhookEndpointEntity> {
  return { endpointId, organizationId, url: 'https://partner.example/webhooks', events: ['recording.transcript_ready'], secretCiphertext: 'not-read-here', ...overrides };
}
