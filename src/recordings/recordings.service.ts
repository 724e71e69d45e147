import { Injectable, Logger } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, EntityManager, Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { InvalidInputError, quoted } from '../common/invalid-input.error';
import { AppConfig } from '../config/app-config';
import { DocumentEntity } from '../encounters/entities/document.entity';
import { isListed } from '../encounters/listed-encounter';
import { RecordingEntity } from './entities/recording.entity';
import { newRecordingId } from './recording-id';
import { RecordingStore, type RecordingRef } from './recording-store';
import { checkRecordingUpload, type RecordingUpload } from './recording-upload';

/** The only document type that has a recording. */
const RECORDED_SCHEMA_TYPE = 'ambient_transcript';

export interface StoredRecording extends RecordingRef {
  size: number;
  /** The recording it replaced, if the document had one. */
  replacedRecordingId: string | null;
}

/** A recording with what a media fetch checks (whose it is, whether partners may see it) and audits. */
export interface ServedRecording extends RecordingRef {
  organizationId: string;
  encounterId: string;
  patientId: string;
  /** A clinical encounter's: demo and training encounters are never shown to partners. */
  listed: boolean;
}

/**
 * Recordings: their rows, their bytes in the configured store, and their audio URLs.
 *
 * Bytes are stored first, under a new recording id, and the row is written after: a failed
 * write leaves no row pointing at nothing (the stored object is removed again), and a replaced
 * recording's object is removed only once its successor is committed.
 */
@Injectable()
export class RecordingsService {
  private readonly logger = new Logger(RecordingsService.name);

  constructor(
    private readonly config: AppConfig,
    private readonly dataSource: DataSource,
    private readonly store: RecordingStore,
    private readonly clock: Clock,
    @InjectRepository(RecordingEntity) private readonly recordings: Repository<RecordingEntity>,
  ) {}

  /** The recording of a document, or null. */
  async findByDocument(documentId: string): Promise<RecordingRef | null> {
    const row = await this.recordings.findOne({ select: { recordingId: true, documentId: true, contentType: true }, where: { documentId } });
    return row && toRef(row);
  }

  /** The recording a media URL names, with its encounter's organization and purpose. */
  async findServed(recordingId: string): Promise<ServedRecording | null> {
    const row = await this.recordings.findOne({
      select: {
        recordingId: true,
        documentId: true,
        contentType: true,
        document: { documentId: true, encounter: { encounterId: true, organizationId: true, patientId: true, purpose: true } },
      },
      relations: { document: { encounter: true } },
      where: { recordingId },
    });
    const encounter = row?.document?.encounter;
    return row && encounter
      ? { ...toRef(row), organizationId: encounter.organizationId, encounterId: encounter.encounterId, patientId: encounter.patientId, listed: isListed(encounter.purpose) }
      : null;
  }

  /**
   * An audio URL for the key that asked, valid `AUDIO_URL_TTL_SECONDS` from now, in whole
   * seconds. The URL is the store's: signed by this service, or presigned by S3.
   */
  async issueAudioUrl(recording: RecordingRef, keyId: string, requestOrigin: string): Promise<{ url: string; expiresAt: Date }> {
    const issuedAt = new Date(Math.floor(this.clock.now() / 1000) * 1000);
    const expiresAt = new Date(issuedAt.getTime() + this.config.recordings.audioUrlTtlSeconds * 1000);
    return { url: await this.store.audioUrl({ recording, keyId, issuedAt, expiresAt, requestOrigin }), expiresAt };
  }

  /**
   * `recordings put`: stores a file as the recording of an `ambient_transcript` document,
   * replacing the one it had.
   * @throws InvalidInputError, before anything is stored, for an unknown document, another
   *   document type, or a file that cannot be stored.
   */
  async put(documentId: string, path: string, contentType?: string): Promise<StoredRecording> {
    const upload = await checkRecordingUpload(path, contentType);
    await requireRecordedDocument(this.dataSource.manager, documentId);

    const { recordingId, replacedRecordingId } = await this.storeWhile([upload], ([recordingId]) =>
      this.dataSource.transaction(async (manager) => {
        // Checked again, locked: the document may have gone meanwhile, and two puts for the
        // same document then replace one another in turn.
        await requireRecordedDocument(manager, documentId, { lock: true });
        const replaced = await manager.findOne(RecordingEntity, { select: { recordingId: true }, where: { documentId } });
        if (replaced) await manager.delete(RecordingEntity, { recordingId: replaced.recordingId });
        await manager.insert(RecordingEntity, { recordingId, documentId, contentType: upload.contentType });
        return { recordingId, replacedRecordingId: replaced?.recordingId ?? null };
      }),
    );
    if (replacedRecordingId) await this.deleteObjects([replacedRecordingId]);
    return { recordingId, documentId, contentType: upload.contentType, size: upload.file.size, replacedRecordingId };
  }

  /**
   * Stores each upload under a new recording id, then runs `commit`, which writes their rows
   * (given the ids, in the order of `uploads`). If anything fails, the objects stored are
   * removed again.
   */
  async storeWhile<T>(uploads: readonly RecordingUpload[], commit: (recordingIds: string[]) => Promise<T>): Promise<T> {
    const recordingIds = uploads.map(newRecordingId);
    const stored: string[] = [];
    try {
      for (const [index, upload] of uploads.entries()) {
        await this.store.put(recordingIds[index], upload.file, upload.contentType);
        stored.push(recordingIds[index]);
      }
      return await commit(recordingIds);
    } catch (error) {
      await this.deleteObjects(stored);
      throw error;
    }
  }

  /** The ids of every recording row, for a reset that is about to empty the table. */
  async allRecordingIds(manager: EntityManager): Promise<string[]> {
    const rows = await manager.find(RecordingEntity, { select: { recordingId: true } });
    return rows.map((row) => row.recordingId);
  }

  /**
   * Removes stored objects whose rows are gone. A failure is logged, not thrown: the rows are
   * already committed, and an object no row names is never served.
   */
  async deleteObjects(recordingIds: readonly string[]): Promise<void> {
    for (const recordingId of recordingIds) {
      try {
        await this.store.delete(recordingId);
      } catch (error) {
        this.logger.warn(`Could not remove the stored object of recording ${recordingId}: ${(error as Error).name}`);
      }
    }
  }
}

/** @throws InvalidInputError unless the document exists and is an `ambient_transcript`. */
async function requireRecordedDocument(manager: EntityManager, documentId: string, { lock = false } = {}): Promise<void> {
  const document = await manager.findOne(DocumentEntity, {
    select: { documentId: true, schemaType: true },
    where: { documentId },
    ...(lock && { lock: { mode: 'pessimistic_write' as const } }),
  });
  if (!document) throw new InvalidInputError(`unknown document ${quoted(documentId)}`);
  if (document.schemaType !== RECORDED_SCHEMA_TYPE) {
    throw new InvalidInputError(`document ${quoted(documentId)} has schema_type ${quoted(document.schemaType)}: only ${RECORDED_SCHEMA_TYPE} documents have a recording`);
  }
}

function toRef(row: RecordingEntity): RecordingRef {
  return { recordingId: row.recordingId, documentId: row.documentId, contentType: row.contentType };
}
