import { DeleteObjectCommand, GetObjectCommand, PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { getSignedUrl } from '@aws-sdk/s3-request-presigner';
import type { OnModuleDestroy } from '@nestjs/common';
import { createReadStream } from 'node:fs';
import type { RecordingStoreConfig } from '../config/app-config';
import { inlineContentDisposition } from './recording-media-types';
import { RecordingFile, RecordingStore, type AudioUrlRequest } from './recording-store';

type S3Config = Extract<RecordingStoreConfig, { kind: 's3' }>;

/**
 * Recordings as objects `recordings/<recording_id>` of an S3-compatible bucket, handed out as
 * presigned `GetObject` URLs: the storage serves the bytes, so every instance of the service
 * sees the same recordings. Credentials come from the AWS SDK's usual chain (environment,
 * shared files, instance role).
 *
 * A presigned URL is checked by the storage alone: it stays valid until it expires, whatever
 * happens to the key that asked for it (docs/operations.md "Recordings").
 */
export class S3RecordingStore extends RecordingStore implements OnModuleDestroy {
  readonly issuesUrls = true;
  private readonly client: S3Client;

  constructor(private readonly s3: S3Config) {
    super();
    this.client = new S3Client({
      region: s3.region,
      endpoint: s3.endpoint ?? undefined,
      forcePathStyle: s3.forcePathStyle,
      // Checksums only where S3 requires them: S3-compatible servers do not all accept the
      // SDK's default CRC32 trailers, and TLS already protects the upload.
      requestChecksumCalculation: 'WHEN_REQUIRED',
      responseChecksumValidation: 'WHEN_REQUIRED',
    });
  }

  async put(recordingId: string, file: RecordingFile, contentType: string): Promise<void> {
    // Streamed from disk, with its length known up front: never held in memory.
    await this.client.send(
      new PutObjectCommand({ Bucket: this.s3.bucket, Key: objectKey(recordingId), Body: createReadStream(file.path), ContentLength: file.size, ContentType: contentType }),
    );
  }

  async delete(recordingId: string): Promise<void> {
    await this.client.send(new DeleteObjectCommand({ Bucket: this.s3.bucket, Key: objectKey(recordingId) }));
  }

  audioUrl({ recording, issuedAt, expiresAt }: AudioUrlRequest): Promise<string> {
    const command = new GetObjectCommand({
      Bucket: this.s3.bucket,
      Key: objectKey(recording.recordingId),
      ResponseContentType: recording.contentType,
      ResponseContentDisposition: inlineContentDisposition(recording.documentId, recording.contentType),
      ResponseCacheControl: 'private, no-store',
    });
    // Signed as of `issuedAt`, so that the storage lets it expire exactly at `expiresAt`.
    return getSignedUrl(this.client, command, { signingDate: issuedAt, expiresIn: (expiresAt.getTime() - issuedAt.getTime()) / 1000 });
  }

  onModuleDestroy(): void {
    this.client.destroy();
  }
}

function objectKey(recordingId: string): string {
  return `recordings/${recordingId}`;
}
