import { randomBytes } from 'node:crypto';
import { readdir } from 'node:fs/promises';
import { apiKey, bearer, encounter, noteDocument, organization, patient, transcriptDocument } from '../support/fixtures';
import { createCliScenario, CliScenario } from '../support/cli-scenario';
import type { TestApp } from '../support/test-app';

const TOKEN = 'ch_sk_cli_recordings_key';

const SEED = {
  organizations: [organization('org_rec')],
  api_keys: [apiKey('key_rec', 'org_rec', TOKEN)],
  patients: [patient('pat_rec', 'org_rec')],
  encounters: [encounter('enc_rec', 'org_rec', 'pat_rec', '2026-05-25T14:00:00Z')],
  documents: [
    transcriptDocument('doc_rec_second', 'enc_rec'),
    transcriptDocument('doc_rec_untranscribed', 'enc_rec', { transcript: null }),
    noteDocument('doc_rec_note', 'enc_rec'),
  ],
};

/** The recordings CLI (docs/operations.md): `fixtures load` with recordings, `recordings put` and `transcripts put`, run as `npm run cli` runs them. */
describe('npm run cli: recordings', () => {
  let scenario: CliScenario;
  let visit: Buffer;
  const cli = (...args: string[]) => scenario.cli(...args);

  beforeAll(async () => {
    scenario = await createCliScenario();
    visit = randomBytes(20_000);
    await scenario.file('audio/visit.wav', visit);
    expect(await cli('fixtures', 'load', await scenario.file('seed.json', SEED))).toMatchObject({ code: 0, stderr: '' });
  });
  afterAll(() => scenario.close());

  /** The bytes the audio route's URL serves for a document, through the app on the scenario's database. */
  const servedRecording = (documentId: string) =>
    scenario.withApp(async (t: TestApp) => {
      await t.app.listen(0, '127.0.0.1');
      const path = `/external/v1/encounters/enc_rec/documents/${documentId}/audio`;
      const { body } = await t.http().get(path).set('Authorization', bearer(TOKEN)).expect(200);
      const media = await fetch(body.audio_url);
      return { contentType: media.headers.get('content-type'), disposition: media.headers.get('content-disposition'), bytes: Buffer.from(await media.arrayBuffer()) };
    });
  /** Recording rows and stored files: what a refused command must leave as it was. */
  const stored = () =>
    scenario.withApp(async (t: TestApp) => ({
      rows: await t.dataSource.query('SELECT recording_id, document_id, content_type FROM recordings ORDER BY recording_id'),
      files: (await readdir(t.recordingsDir).catch(() => [])).sort(),
    }));

  it('fixtures load stores a recording given relative to the fixture file', async () => {
    // Relative to the fixture file, wherever the CLI runs from.
    const fixture = { documents: [transcriptDocument('doc_rec_transcript', 'enc_rec', { recording: { file: 'audio/visit.wav', content_type: 'audio/wav' } })] };
    const result = await cli('fixtures', 'load', await scenario.file('with-recording.json', fixture));
    expect(result).toMatchObject({ code: 0, stderr: '' });
    expect(result.stdout).toContain('1 documents, 1 recordings, 0 webhook endpoints.');
    const served = await servedRecording('doc_rec_transcript');
    expect(served).toEqual({ contentType: 'audio/wav', disposition: 'inline; filename="doc_rec_transcript.wav"', bytes: visit });
  });

  it('fixtures load refuses a bad recording with one line naming the record, and loads nothing', async () => {
    const before = await stored();
    const fixture = { documents: [noteDocument('doc_rec_bad_note', 'enc_rec', { recording: { file: 'audio/visit.wav', content_type: 'audio/wav' } })] };
    const result = await cli('fixtures', 'load', await scenario.file('refused.json', fixture));
    expect(result).toEqual({ code: 1, stdout: '', stderr: 'error: documents[0] (doc_rec_bad_note): recording is only allowed on schema_type "ambient_transcript"\n' });
    expect(await stored()).toEqual(before);
  });

  it('recordings put stores a file for a document, and a second put replaces it', async () => {
    const first = await scenario.file('first.mp3', randomBytes(3_000));
    const put = await cli('recordings', 'put', 'doc_rec_second', first);
    expect(put).toMatchObject({ code: 0, stderr: '' });
    expect(put.stdout).toMatch(/^Stored .*first\.mp3 \(audio\/mpeg, 3000 bytes\) as recording rec_[\w-]{24} of document doc_rec_second\.\n$/);
    const [, firstRecordingId] = /as recording (rec_[\w-]{24})/.exec(put.stdout)!;
    expect((await servedRecording('doc_rec_second')).contentType).toBe('audio/mpeg');

    const secondBytes = randomBytes(4_000);
    const second = await scenario.file('second.bin', secondBytes);
    const replaced = await cli('recordings', 'put', 'doc_rec_second', second, '--content-type', 'audio/ogg');
    expect(replaced.stdout).toMatch(new RegExp(` of document doc_rec_second, replacing ${firstRecordingId}\\.\\n$`));
    expect(await servedRecording('doc_rec_second')).toEqual({ contentType: 'audio/ogg', disposition: 'inline; filename="doc_rec_second.ogg"', bytes: secondBytes });
    // One file per recording: the replaced one is gone.
    const { rows, files } = await stored();
    expect(files).toHaveLength(rows.length);
    expect(files.join(' ')).not.toContain(firstRecordingId);
  });

  it('recordings put refuses bad input with one line, and changes nothing', async () => {
    const wav = await scenario.file('ok.wav', randomBytes(10));
    // Every reason is in test/e2e/recording-input.e2e-spec.ts; these show how the CLI reports them.
    const cases: [string[], string | RegExp][] = [
      [['recordings', 'put', 'doc_rec_note', wav], 'document "doc_rec_note" has schema_type "document": only ambient_transcript documents have a recording'],
      [['recordings', 'put', 'doc_rec_second', wav, '--content-type', 'video/mp4'], 'content type "video/mp4" is not an audio media type like audio/wav'],
      [['recordings', 'put', 'doc_rec_second', wav, 'extra'], 'unexpected argument "extra"'],
    ];
    const before = await stored();
    for (const [args, reason] of cases) {
      const result = await cli(...args);
      expect({ args, code: result.code, stdout: result.stdout }).toEqual({ args, code: 1, stdout: '' });
      const line = result.stderr.replace(/^error: /, '').replace(/\n$/, '');
      if (typeof reason === 'string') expect(line).toBe(reason);
      else expect(line).toMatch(reason);
    }
    expect(await stored()).toEqual(before);
  });

  it('transcripts put sets a first transcript (recording the event), then refuses a file that is no transcript, with one line', async () => {
    const first = await cli(
      'transcripts',
      'put',
      'doc_rec_untranscribed',
      await scenario.file('transcript.json', { provider: 'deepgram', turns: [{ speaker: 'clinician', start: 0, end: 1.6, text: 'Good morning.' }] }),
    );
    expect(first).toEqual({ code: 0, stderr: '', stdout: 'Set the transcript of document doc_rec_untranscribed (1 turns), its first. recording.transcript_ready recorded.\n' });
    const refused = await cli('transcripts', 'put', 'doc_rec_untranscribed', await scenario.file('not-a-transcript.json', { provider: 'deepgram' }));
    expect(refused).toMatchObject({ code: 1, stdout: '' });
    expect(refused.stderr).toMatch(/^error: ".*not-a-transcript\.json": turns must be an array\n$/);
  });
});
