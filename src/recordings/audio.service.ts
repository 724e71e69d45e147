import { Injectable } from '@nestjs/common';
import { Disclosed } from '../audit/disclosure';
import { ApiError } from '../common/api-error';
import { toApiTimestamp } from '../common/api-timestamp';
import type { ReasonCode } from '../common/reason-codes';
import { DOCUMENT_LOOKUP_ERRORS, DocumentsService } from '../encounters/documents.service';
import { disclosedDocumentOf } from '../encounters/encounter.mapper';
import type { AudioUrlDto } from './dto/audio-url.dto';
import { RecordingStore } from './recording-store';
import { RecordingsService } from './recordings.service';

/** What the audio route's lookup can answer, for its OpenAPI description. */
export const AUDIO_LOOKUP_ERRORS = [...DOCUMENT_LOOKUP_ERRORS, 'audio_not_found'] as const satisfies ReasonCode[];

/** The audio route (`documents.audio`): checks the document as the document routes do, then hands out a URL. */
@Injectable()
export class AudioService {
  constructor(
    private readonly documents: DocumentsService,
    private readonly recordings: RecordingsService,
    private readonly store: RecordingStore,
  ) {}

  async audioUrl(organizationId: string, keyId: string, encounterId: string, documentId: string, requestOrigin: string): Promise<Disclosed<AudioUrlDto>> {
    // Without a way to sign URLs the route can answer no one: no lookup is worth doing.
    if (!this.store.issuesUrls) throw new ApiError('service_unavailable');
    const document = await this.documents.findReadableDocument(organizationId, encounterId, documentId, null);
    if (document.schema_type !== 'ambient_transcript') throw new ApiError('unsupported_document_type');
    const recording = await this.recordings.findByDocument(document.document_id);
    if (recording === null) throw new ApiError('audio_not_found');
    const { url, expiresAt } = await this.recordings.issueAudioUrl(recording, keyId, requestOrigin);
    return new Disclosed({ audio_url: url, expires_at: toApiTimestamp(expiresAt) }, [disclosedDocumentOf(document, recording.recordingId)]);
  }
}
