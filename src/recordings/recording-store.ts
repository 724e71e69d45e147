/** A recording as the audio route hands it out. */
export interface RecordingRef {
  recordingId: string;
  documentId: string;
  contentType: string;
}

/** A file to store, already checked to be a readable, non-empty regular file. */
export interface RecordingFile {
  path: string;
  size: number;
}

export interface AudioUrlRequest {
  recording: RecordingRef;
  /** The key that asked: a URL served by the service stops working when the key does. */
  keyId: string;
  /** Whole seconds, both. */
  issuedAt: Date;
  expiresAt: Date;
  /** The origin the request was sent to, for a store that serves URLs itself. */
  requestOrigin: string;
}

/**
 * Where recordings' bytes are kept (`RECORDINGS_STORE`). Objects are named by recording id
 * alone; which document a recording belongs to is only in the database.
 * Injected by class token; RecordingsModule provides the configured implementation.
 */
export abstract class RecordingStore {
  /** False when the store cannot sign URLs (the local store without MEDIA_URL_SECRET in production). */
  abstract readonly issuesUrls: boolean;

  /** Stores the file under the recording id; an object of that id is replaced. */
  abstract put(recordingId: string, file: RecordingFile, contentType: string): Promise<void>;

  /** Removes the object; removing one that is not there is not an error. */
  abstract delete(recordingId: string): Promise<void>;

  /** A URL that serves the recording without an API key until `expiresAt`. */
  abstract audioUrl(request: AudioUrlRequest): Promise<string>;
}
