/**
 * Bad recordings are refused before anything is stored, with a message that says what is
 * wrong, by `recordings put` and by fixture files alike; and nothing changes then.
 */
import { readdir } from 'node:fs/promises';
import { join } from 'node:path';
import { FixtureLoader } from '../../src/fixtures/fixture-loader.service';
import { RecordingsService } from '../../src/recordings/recordings.service';
import { apiKey, encounter, noteDocument, organization, patient, transcriptDocument } from '../support/fixtures';
import { recordingFiles, type RecordingFiles } from '../support/recordings';
import { startTestApp, type TestApp } from '../support/test-app';

describe('recordings refused as input', () => {
  let t: TestApp;
  let files: RecordingFiles;

  beforeAll(async () => {
    files = await recordingFiles();
    for (const name of ['visit.wav', 'recording', 'visit.txt']) await files.write(name, 100);
    await files.write('empty.wav', 0);
    t = await startTestApp();
    await t.load({
      organizations: [organization('org_input')],
      api_keys: [apiKey('key_input', 'org_input', 'ch_sk_input_full_access')],
      patients: [patient('pat_input', 'org_input')],
      encounters: [encounter('enc_input', 'org_input', 'pat_input', '2026-05-25T14:00:00Z')],
      documents: [
        transcriptDocument('doc_input_recorded', 'enc_input', { recording: { file: join(files.dir, 'visit.wav'), content_type: 'audio/wav' } }),
        transcriptDocument('doc_input_transcript', 'enc_input'),
        noteDocument('doc_input_note', 'enc_input'),
        noteDocument('doc_input_summary', 'enc_input', { schema_type: 'after_visit_summary', content: null }),
      ],
    });
  });
  afterAll(async () => {
    await t.close();
    await files.remove();
  });

  /** Recording rows and stored files: what a refusal must leave as it was. */
  const stored = async () => ({
    rows: await t.dataSource.query('SELECT recording_id, document_id, content_type FROM recordings ORDER BY recording_id'),
    files: (await readdir(t.recordingsDir)).sort(),
  });
  const path = (name: string) => join(files.dir, name);

  it.each([
    ['an unknown document', 'doc_input_unknown', 'visit.wav', undefined, 'unknown document "doc_input_unknown"'],
    ['a note', 'doc_input_note', 'visit.wav', undefined, 'document "doc_input_note" has schema_type "document": only ambient_transcript documents have a recording'],
    [
      'another document type',
      'doc_input_summary',
      'visit.wav',
      undefined,
      'document "doc_input_summary" has schema_type "after_visit_summary": only ambient_transcript documents have a recording',
    ],
    ['a missing file', 'doc_input_transcript', 'nope.wav', undefined, /^cannot read ".*nope\.wav": ENOENT$/],
    ['a directory', 'doc_input_transcript', '.', 'audio/wav', /^".*" is not a regular file$/],
    ['an empty file', 'doc_input_transcript', 'empty.wav', undefined, /^".*empty\.wav" is empty$/],
    [
      'a file without extension and no type',
      'doc_input_transcript',
      'recording',
      undefined,
      /^cannot tell the media type of ".*recording" from its extension: give the content type/,
    ],
    ['an extension that is no audio', 'doc_input_transcript', 'visit.txt', undefined, /^cannot tell the media type of ".*visit\.txt"/],
    ['a type that is no audio type', 'doc_input_transcript', 'visit.wav', 'video/mp4', 'content type "video/mp4" is not an audio media type like audio/wav'],
    ['a type with parameters', 'doc_input_transcript', 'visit.wav', 'audio/wav; codecs=1', 'content type "audio/wav; codecs=1" is not an audio media type like audio/wav'],
  ])('recordings put refuses %s, storing nothing', async (_name, documentId, file, contentType, message) => {
    const before = await stored();
    await expect(t.app.get(RecordingsService).put(documentId, path(file), contentType)).rejects.toThrow(message);
    expect(await stored()).toEqual(before);
  });

  it.each([
    [
      'a recording on a note',
      noteDocument('doc_input_new', 'enc_input', { recording: { file: 'visit.wav', content_type: 'audio/wav' } }),
      'documents[0] (doc_input_new): recording is only allowed on schema_type "ambient_transcript"',
    ],
    [
      'a missing file',
      transcriptDocument('doc_input_new', 'enc_input', { recording: { file: 'nope.wav', content_type: 'audio/wav' } }),
      /^documents\[0\] \(doc_input_new\): recording: cannot read ".*nope\.wav": ENOENT$/,
    ],
    [
      'an empty file',
      transcriptDocument('doc_input_new', 'enc_input', { recording: { file: 'empty.wav', content_type: 'audio/wav' } }),
      /^documents\[0\] \(doc_input_new\): recording: ".*empty\.wav" is empty$/,
    ],
    [
      'a content type that is no audio type',
      transcriptDocument('doc_input_new', 'enc_input', { recording: { file: 'visit.wav', content_type: 'text/html' } }),
      'documents[0] (doc_input_new): recording: content_type must be an audio media type like audio/wav or audio/mpeg',
    ],
    [
      'an unknown field',
      transcriptDocument('doc_input_new', 'enc_input', { recording: { file: 'visit.wav', content_type: 'audio/wav', duration: 3 } }),
      'documents[0] (doc_input_new): recording: property duration should not exist',
    ],
  ])('a fixture with %s is refused naming the record, and nothing is loaded', async (_name, document, message) => {
    const before = await stored();
    await expect(t.app.get(FixtureLoader).load({ documents: [document] }, { baseDir: files.dir })).rejects.toThrow(message);
    expect(await stored()).toEqual(before);
    expect(await t.dataSource.query(`SELECT document_id FROM documents WHERE document_id = 'doc_input_new'`)).toEqual([]);
  });
});
