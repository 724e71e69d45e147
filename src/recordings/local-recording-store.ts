import { copyFile, mkdir, rename, rm } from 'node:fs/promises';
import { join, resolve } from 'node:path';
import type { AppConfig } from '../config/app-config';
import { MediaUrlSigner } from './media-url-signer';
import { isRecordingId } from './recording-id';
import { RecordingFile, RecordingStore, type AudioUrlRequest } from './recording-store';

/**
 * Recordings as files in `RECORDINGS_DIR`, one per recording id, served by the service itself
 * (MediaController) through URLs signed by MediaUrlSigner. One instance's directory: a
 * deployment of several instances shares recordings through the S3 store instead.
 */
export class LocalRecordingStore extends RecordingStore {
  private readonly dir: string;
  private readonly mediaBaseUrl: string | null;

  constructor(
    config: AppConfig,
    dir: string,
    private readonly signer: MediaUrlSigner,
  ) {
    super();
    this.dir = resolve(dir);
    this.mediaBaseUrl = config.recordings.mediaBaseUrl;
  }

  get issuesUrls(): boolean {
    return this.signer.canSign;
  }

  async put(recordingId: string, file: RecordingFile): Promise<void> {
    const target = this.pathOf(recordingId);
    // Copied beside the target, then renamed: a reader never sees half a file.
    const partial = join(this.dir, `.${recordingId}.partial`);
    await mkdir(this.dir, { recursive: true });
    try {
      await copyFile(file.path, partial);
      await rename(partial, target);
    } finally {
      await rm(partial, { force: true });
    }
  }

  async delete(recordingId: string): Promise<void> {
    await rm(this.pathOf(recordingId), { force: true });
  }

  audioUrl({ recording, keyId, expiresAt, requestOrigin }: AudioUrlRequest): Promise<string> {
    const path = this.signer.sign({ recordingId: recording.recordingId, keyId, expiresAtSeconds: expiresAt.getTime() / 1000 });
    return Promise.resolve(`${this.mediaBaseUrl ?? requestOrigin}${path}`);
  }

  /** The file of a recording. */
  pathOf(recordingId: string): string {
    if (!isRecordingId(recordingId)) throw new Error(`not a recording id: ${JSON.stringify(recordingId)}`);
    return join(this.dir, recordingId);
  }
}
