import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Disclosed } from '../audit/disclosure';
import { PartnerCall } from '../partner/partner-call.decorator';
import { PartnerEndpoint } from '../partner/partner-endpoint.decorator';
import { DOCUMENT_LOOKUP_ERRORS, DocumentsService, TRANSCRIPT_LOOKUP_ERRORS } from './documents.service';
import { DocumentDetailDto, TranscriptResponseDto } from './dto/document.dto';

@ApiTags('Documents')
@ApiParam({ name: 'encounter_id', description: 'An opaque ChartHero encounter id.', example: 'enc_9YpJvK2' })
@ApiParam({ name: 'document_id', description: 'An id from the encounter’s documents array.', example: 'doc_Ambient1' })
@Controller('external/v1/encounters/:encounter_id/documents')
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Get(':document_id')
  @PartnerEndpoint('documents.read', { summary: 'Read one clinical document of an encounter', lookupErrors: DOCUMENT_LOOKUP_ERRORS })
  @ApiOkResponse({ type: DocumentDetailDto, description: 'A note with its content, or an ambient transcript’s metadata.' })
  get(@Param('encounter_id') encounterId: string, @Param('document_id') documentId: string, @PartnerCall() call: PartnerCall): Promise<Disclosed<DocumentDetailDto>> {
    return this.documents.get(call.organizationId, encounterId, documentId);
  }

  @Get(':document_id/transcript')
  @PartnerEndpoint('documents.transcript', { summary: 'Read the transcript of an ambient transcript', lookupErrors: TRANSCRIPT_LOOKUP_ERRORS })
  @ApiOkResponse({ type: TranscriptResponseDto })
  getTranscript(@Param('encounter_id') encounterId: string, @Param('document_id') documentId: string, @PartnerCall() call: PartnerCall): Promise<Disclosed<TranscriptResponseDto>> {
    return this.documents.getTranscript(call.organizationId, encounterId, documentId);
  }
}
