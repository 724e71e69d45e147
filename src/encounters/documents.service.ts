import { Injectable } from '@nestjs/common';
import { Disclosed } from '../audit/disclosure';
import { ApiError } from '../common/api-error';
import type { ReasonCode } from '../common/reason-codes';
import type { DocumentDetailDto, TranscriptResponseDto } from './dto/document.dto';
import { assertEncounterReadable, ENCOUNTER_LOOKUP_ERRORS } from './encounter-access';
import type { DocumentPayload, DocumentRow } from './encounter-queries';
import { EncounterRepository } from './encounter.repository';
import { disclosedDocumentOf, toNoteDocumentDto, toTranscriptDocumentDto, toTranscriptResponseDto } from './encounter.mapper';

/** What each document route's lookup can answer, for its OpenAPI description. */
export const DOCUMENT_LOOKUP_ERRORS = [...ENCOUNTER_LOOKUP_ERRORS, 'document_not_found', 'unsupported_document_type'] as const satisfies ReasonCode[];
export const TRANSCRIPT_LOOKUP_ERRORS = [...DOCUMENT_LOOKUP_ERRORS, 'transcript_not_found'] as const satisfies ReasonCode[];

/**
 * The document routes. Each checks the encounter as the detail route does, then the
 * document (`document_not_found`), then what the route can serve of it.
 */
@Injectable()
export class DocumentsService {
  constructor(private readonly encounters: EncounterRepository) {}

  async get(organizationId: string, encounterId: string, documentId: string): Promise<Disclosed<DocumentDetailDto>> {
    const document = await this.findReadableDocument(organizationId, encounterId, documentId, 'content');
    return new Disclosed({ document: toDocumentDto(document) }, [disclosedDocumentOf(document)]);
  }

  async getTranscript(organizationId: string, encounterId: string, documentId: string): Promise<Disclosed<TranscriptResponseDto>> {
    const document = await this.findReadableDocument(organizationId, encounterId, documentId, 'transcript');
    if (document.schema_type !== 'ambient_transcript') throw new ApiError('unsupported_document_type');
    if (document.transcript === null) throw new ApiError('transcript_not_found');
    return new Disclosed(toTranscriptResponseDto(document, document.transcript), [disclosedDocumentOf(document)]);
  }

  /**
   * Check 6 of every document route, shared with the audio route (RecordingsModule): the
   * encounter as the detail route checks it, then `document_not_found`. Only `payload` of the
   * document's large columns is read.
   */
  async findReadableDocument(organizationId: string, encounterId: string, documentId: string, payload: DocumentPayload): Promise<DocumentRow> {
    const row = await this.encounters.findDocument(organizationId, encounterId, documentId, payload);
    assertEncounterReadable(row);
    if (row.document_id == null) throw new ApiError('document_not_found');
    return row as DocumentRow;
  }
}

function toDocumentDto(document: DocumentRow): DocumentDetailDto['document'] {
  switch (document.schema_type) {
    case 'document':
      return toNoteDocumentDto(document);
    case 'ambient_transcript':
      return toTranscriptDocumentDto(document);
    default:
      throw new ApiError('unsupported_document_type');
  }
}
