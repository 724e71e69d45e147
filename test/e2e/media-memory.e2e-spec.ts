/**
 * A media URL streams its recording from disk: serving a 200 MB file does not hold it in
 * memory. Measured in the process that serves it (the download runs here too, and reads the
 * body as it arrives), as the live heap and Buffer memory at points all through the download.
 * Live means after a full collection: chunks already sent are garbage the collector may not
 * have reached yet on a loaded machine, and counting them made the bound a race against it.
 */
import { randomBytes } from 'node:crypto';
import { open } from 'node:fs/promises';
import { join } from 'node:path';
import { setFlagsFromString } from 'node:v8';
import { runInNewContext } from 'node:vm';
import { apiKey, bearer, encounter, organization, patient, transcriptDocument } from '../support/fixtures';
import { recordingFiles, type RecordingFiles } from '../support/recordings';
import { startTestApp, type TestApp } from '../support/test-app';

const SIZE = 200 * 1024 * 1024;
/** Far below the file's size, far above what a streamed download holds at once. */
const MEMORY_BOUND_MIB = 64;
/** A file read whole, or read ahead of a slow socket, would be live at several of these points. */
const SAMPLE_EVERY = 25 * 1024 * 1024;
/** Collecting again frees less than this: the baseline has settled. */
const SETTLED = 1024 * 1024;
const TOKEN = 'ch_sk_memory_full_access';

/** V8's collector, exposed without a command-line flag: a context created after the flag gets `gc`. */
function fullCollection(): () => void {
  setFlagsFromString('--expose-gc');
  return runInNewContext('gc') as () => void;
}

describe('a 200 MB recording', () => {
  let t: TestApp;
  let files: RecordingFiles;
  const head = randomBytes(1024);
  const tail = randomBytes(1024);

  beforeAll(async () => {
    files = await recordingFiles();
    // Sparse but for its first and last KiB: a fast file to write, whose every byte is still served.
    const path = join(files.dir, 'long-visit.wav');
    const file = await open(path, 'w');
    await file.truncate(SIZE);
    await file.write(head, 0, head.length, 0);
    await file.write(tail, 0, tail.length, SIZE - tail.length);
    await file.close();
    t = await startTestApp();
    await t.load({
      organizations: [organization('org_memory')],
      api_keys: [apiKey('key_memory', 'org_memory', TOKEN)],
      patients: [patient('pat_memory', 'org_memory')],
      encounters: [encounter('enc_memory', 'org_memory', 'pat_memory', '2026-05-25T14:00:00Z')],
      documents: [transcriptDocument('doc_memory', 'enc_memory', { recording: { file: path, content_type: 'audio/wav' } })],
    });
    await t.app.listen(0, '127.0.0.1');
  });
  afterAll(async () => {
    await t.close();
    await files.remove();
  });

  it('is served whole with memory flat: its peak growth stays far below its size', async () => {
    const { body } = await t.http().get('/external/v1/encounters/enc_memory/documents/doc_memory/audio').set('Authorization', bearer(TOKEN)).expect(200);
    const collect = fullCollection();
    const liveMemory = () => {
      // Twice: V8 frees dead Buffers' memory on a background thread after a collection, and
      // on a loaded machine it lags; the next collection first waits for that to finish.
      collect();
      collect();
      const usage = process.memoryUsage();
      return usage.heapUsed + usage.arrayBuffers;
    };
    // One collection can leave garbage that only a later one frees (weak callbacks, finalizers):
    // the baseline is taken once collecting stops freeing anything worth counting.
    let baseline = liveMemory();
    for (let settled = liveMemory(); baseline - settled > SETTLED; settled = liveMemory()) baseline = settled;
    let peak = baseline;
    let samples = 0;

    const response = await fetch(body.audio_url);
    let received = 0;
    let first: Buffer | null = null;
    let last = Buffer.alloc(0);
    for await (const chunk of response.body!) {
      const bytes = Buffer.from(chunk);
      first ??= bytes.subarray(0, 1024);
      last = Buffer.concat([last, bytes]).subarray(-1024);
      const before = received;
      received += bytes.length;
      if (Math.floor(received / SAMPLE_EVERY) > Math.floor(before / SAMPLE_EVERY)) {
        peak = Math.max(peak, liveMemory());
        samples += 1;
      }
    }

    expect(response.headers.get('content-length')).toBe(String(SIZE));
    expect(received).toBe(SIZE);
    expect(first!.equals(head)).toBe(true);
    expect(last.equals(tail)).toBe(true);
    expect(samples).toBe(SIZE / SAMPLE_EVERY);
    // In MiB, so that a failure prints what was held.
    expect((peak - baseline) / 1024 / 1024).toBeLessThan(MEMORY_BOUND_MIB);
  });
});
