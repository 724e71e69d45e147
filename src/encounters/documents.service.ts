import { Injectable } from '@nestjs/common';
import { ApiError } from '../common/api-error';
import type { DocumentDetailDto, TranscriptResponseDto } from './dto/document.dto';
import { assertEncounterReadable } from './encounter-access';
import { DocumentRow, EncounterReader } from './encounter-reader';
import { toNoteDocumentDto, toTranscriptDocumentDto, toTranscriptResponseDto } from './encounter.mapper';

/**
 * The document routes. Each checks the encounter as the detail route does, then the
 * document (`document_not_found`), then what the route can serve of it.
 */
@Injectable()
export class DocumentsService {
  constructor(private readonly reader: EncounterReader) {}

  async get(organizationId: string, encounterId: string, documentId: string): Promise<DocumentDetailDto> {
    const document = await this.findReadableDocument(organizationId, encounterId, documentId, 'content');
    switch (document.schema_type) {
      case 'document':
        return { document: toNoteDocumentDto(document) };
      case 'ambient_transcript':
        return { document: toTranscriptDocumentDto(document) };
      default:
        throw new ApiError('unsupported_document_type');
    }
  }

  async getTranscript(organizationId: string, encounterId: string, documentId: string): Promise<TranscriptResponseDto> {
    const document = await this.findReadableDocument(organizationId, encounterId, documentId, 'transcript');
    if (document.schema_type !== 'ambient_transcript') throw new ApiError('unsupported_document_type');
    if (document.transcript === null) throw new ApiError('transcript_not_found');
    return toTranscriptResponseDto(document, document.transcript);
  }

  private async findReadableDocument(
    organizationId: string,
    encounterId: string,
    documentId: string,
    payload: 'content' | 'transcript',
  ): Promise<DocumentRow> {
    const row = await this.reader.findDocument(organizationId, encounterId, documentId, payload);
    assertEncounterReadable(row);
    if (row.document_id == null) throw new ApiError('document_not_found');
    return row as DocumentRow;
  }
}
