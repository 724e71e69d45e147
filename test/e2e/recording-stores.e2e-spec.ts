/**
 * Both recording stores pass the same tests: the local one (files, served by the service) and
 * the S3 one, against a real S3-compatible server (s3rver) that the test starts. What is
 * stored is what an audio URL serves, whole and by range; replaced and emptied recordings
 * leave no object behind; a fixture that fails stores nothing.
 */
import { readdir } from 'node:fs/promises';
import { RecordingsService } from '../../src/recordings/recordings.service';
import { FixtureLoader } from '../../src/fixtures/fixture-loader.service';
import { apiKey, bearer, encounter, organization, patient, transcriptDocument } from '../support/fixtures';
import { fetchMedia, recordingFiles, type RecordingFiles } from '../support/recordings';
import { startS3Server } from '../support/s3-server';
import { startTestApp, type TestApp } from '../support/test-app';

const ORG = 'org_stores';
const TOKEN = 'ch_sk_stores_full_access';
const SIZE = 65_537;
const TTL_SECONDS = 2;

const audioOf = (documentId: string) => `/external/v1/encounters/enc_stores/documents/${documentId}/audio`;

/** A store under test: the app's environment for it, and the objects it holds. */
interface StoreBackend {
  env: Record<string, string>;
  objects(t: TestApp): Promise<string[]>;
  close(): Promise<void>;
}

const RANGES = [
  ['the whole recording', undefined, 200, 0, SIZE - 1],
  ['a-b', 'bytes=100-199', 206, 100, 199],
  ['a-', 'bytes=65000-', 206, 65_000, SIZE - 1],
  ['-n', 'bytes=-37', 206, SIZE - 37, SIZE - 1],
] as const;

/**
 * `ranges`: what the server behind the URL is asked. s3rver 3.7 reads a suffix range
 * (`bytes=-37`) as `bytes=0-37` (lib/controllers/object.js), where S3 itself serves the last 37
 * bytes; the service plays no part in serving a presigned URL, so that case is S3's to keep.
 */
const STORES: { name: string; ranges: readonly (typeof RANGES)[number][]; start: () => Promise<StoreBackend> }[] = [
  {
    name: 'local',
    ranges: RANGES,
    start: async () => ({
      env: {},
      // Partial copies start with a dot and are never left behind either.
      objects: async (t) => (await readdir(t.recordingsDir).catch(() => [])).sort(),
      close: async () => undefined,
    }),
  },
  {
    name: 's3',
    ranges: RANGES.filter(([name]) => name !== '-n'),
    start: async () => {
      const s3 = await startS3Server();
      return { env: s3.env, objects: () => s3.objectKeys(), close: () => s3.close() };
    },
  },
];

/** `visit.wav` is relative to the loader's base directory. */
function scenario() {
  return {
    organizations: [organization(ORG)],
    api_keys: [apiKey('key_stores', ORG, TOKEN)],
    patients: [patient('pat_stores', ORG)],
    encounters: [encounter('enc_stores', ORG, 'pat_stores', '2026-05-25T14:00:00Z')],
    documents: [
      transcriptDocument('doc_stores_fixture', 'enc_stores', { recording: { file: 'visit.wav', content_type: 'audio/wav' } }),
      transcriptDocument('doc_stores_put', 'enc_stores'),
    ],
  };
}

describe.each(STORES)('the $name recording store', ({ start, ranges }) => {
  let files: RecordingFiles;
  let visit: Buffer;
  let backend: StoreBackend;
  let t: TestApp;

  beforeAll(async () => {
    files = await recordingFiles();
    visit = (await files.write('visit.wav', SIZE)).bytes;
  });
  afterAll(() => files.remove());

  /** A store of its own, and an app on it with the scenario loaded. */
  async function startStore(): Promise<void> {
    backend = await start();
    t = await startTestApp({ env: { ...backend.env, AUDIO_URL_TTL_SECONDS: String(TTL_SECONDS) } });
    await t.app.get(FixtureLoader).load(scenario(), { baseDir: files.dir });
    await t.app.listen(0, '127.0.0.1');
  }
  async function closeStore(): Promise<void> {
    await t.close();
    await backend.close();
  }

  const audio = async (documentId: string) => {
    const { body } = await t.http().get(audioOf(documentId)).set('Authorization', bearer(TOKEN)).expect(200);
    return { url: body.audio_url as string, expiresAt: Date.parse(body.expires_at) };
  };
  const audioUrl = async (documentId: string) => (await audio(documentId)).url;

  describe('serving the recording a fixture stored', () => {
    beforeAll(startStore);
    afterAll(closeStore);

    it('keeps one object per recording, named by nothing but its recording id', async () => {
      const objects = await backend.objects(t);
      expect(objects).toHaveLength(1);
      expect(objects[0]).toMatch(/^(recordings\/)?rec_[A-Za-z0-9_-]{24}$/);
    });

    it.each(ranges)('serves %s: the stored bytes', async (_name, range, status, start, end) => {
      const response = await fetchMedia(await audioUrl('doc_stores_fixture'), { headers: range ? { Range: range } : {} });
      expect(response.status).toBe(status);
      expect(response.body.equals(visit.subarray(start, end + 1))).toBe(true);
      expect(response.headers.get('content-length')).toBe(String(end - start + 1));
      if (range) expect(response.headers.get('content-range')).toBe(`bytes ${start}-${end}/${SIZE}`);
    });

    it('serves the stored media type, inline as <document_id>.<ext>, for no cache to keep', async () => {
      const response = await fetchMedia(await audioUrl('doc_stores_fixture'));
      expect(response.headers.get('content-type')).toBe('audio/wav');
      expect(response.headers.get('content-disposition')).toBe('inline; filename="doc_stores_fixture.wav"');
      expect(response.headers.get('cache-control')).toBe('private, no-store');
    });

    it('HEAD: the length, and no body', async () => {
      const response = await fetchMedia(await audioUrl('doc_stores_fixture'), { method: 'HEAD' });
      expect(response.status).toBe(200);
      expect(response.headers.get('content-length')).toBe(String(SIZE));
      expect(response.body.length).toBe(0);
    });

    it('an expired URL is refused, issued valid', async () => {
      const { url, expiresAt } = await audio('doc_stores_fixture');
      expect(expiresAt - t.clock.now()).toBeLessThanOrEqual(TTL_SECONDS * 1000);
      expect((await fetchMedia(url, { headers: { Range: 'bytes=0-0' } })).status).toBe(206);
      // A URL issued a lifetime ago, and a second more (S3 compares whole seconds), by the app's clock.
      const lifetimeAgo = -(TTL_SECONDS + 1) * 1000;
      t.clock.advance(lifetimeAgo);
      const expired = await audio('doc_stores_fixture').finally(() => t.clock.advance(-lifetimeAgo));
      expect((await fetchMedia(expired.url)).status).toBe(403);
    });
  });

  // Each changes what is stored, in a store of its own.
  describe('changing what is stored', () => {
    beforeEach(startStore);
    afterEach(closeStore);

    it('recordings put stores a file, and a second put replaces it: the old URL and object are gone', async () => {
      const recordings = t.app.get(RecordingsService);
      const first = await files.write('first.mp3', 3_000);
      const stored = await recordings.put('doc_stores_put', first.path);
      expect(stored).toMatchObject({ documentId: 'doc_stores_put', contentType: 'audio/mpeg', size: 3_000, replacedRecordingId: null });
      const firstUrl = await audioUrl('doc_stores_put');
      const firstFetch = await fetchMedia(firstUrl);
      expect(firstFetch.body.equals(first.bytes)).toBe(true);
      expect(firstFetch.headers.get('content-disposition')).toBe('inline; filename="doc_stores_put.mp3"');

      const second = await files.write('second.ogg', 4_000);
      const replaced = await recordings.put('doc_stores_put', second.path, 'audio/ogg');
      expect(replaced.replacedRecordingId).toBe(stored.recordingId);
      expect((await fetchMedia(await audioUrl('doc_stores_put'))).body.equals(second.bytes)).toBe(true);
      expect((await fetchMedia(firstUrl)).status).toBeGreaterThanOrEqual(400);
      expect((await backend.objects(t)).some((key) => key.endsWith(stored.recordingId))).toBe(false);
      expect((await backend.objects(t)).some((key) => key.endsWith(replaced.recordingId))).toBe(true);
    });

    it('a fixture refused after its recordings were stored leaves no object behind, and no row', async () => {
      const before = await backend.objects(t);
      const rowsBefore = await t.dataSource.query(`SELECT recording_id FROM recordings ORDER BY recording_id`);
      const dangling = {
        documents: [
          transcriptDocument('doc_stores_dangling_1', 'enc_stores', { recording: { file: 'visit.wav', content_type: 'audio/wav' } }),
          // Refused in the transaction, after both files were stored: the encounter does not exist.
          transcriptDocument('doc_stores_dangling_2', 'enc_stores_missing', { recording: { file: 'visit.wav', content_type: 'audio/wav' } }),
        ],
      };
      await expect(t.app.get(FixtureLoader).load(dangling, { baseDir: files.dir })).rejects.toThrow(
        /documents\[1\] \(doc_stores_dangling_2\): encounter "enc_stores_missing" does not exist/,
      );
      expect(await backend.objects(t)).toEqual(before);
      expect(await t.dataSource.query(`SELECT recording_id FROM recordings ORDER BY recording_id`)).toEqual(rowsBefore);
    });

    it('fixtures load --reset removes the objects of the recordings it empties', async () => {
      await t.app.get(RecordingsService).put('doc_stores_put', (await files.write('put.mp3', 3_000)).path);
      const before = await backend.objects(t);
      expect(before).toHaveLength(2);
      await t.app.get(FixtureLoader).load(scenario(), { reset: true, baseDir: files.dir });
      const after = await backend.objects(t);
      expect(after).toHaveLength(1);
      expect(after.some((key) => before.includes(key))).toBe(false);
    });
  });
});
