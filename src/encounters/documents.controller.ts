import { Controller, Get, Param } from '@nestjs/common';
import { PartnerCall } from '../partner/partner-call.decorator';
import { PartnerEndpoint } from '../partner/partner-endpoint.decorator';
import { DocumentsService } from './documents.service';
import type { DocumentDetailDto, TranscriptResponseDto } from './dto/document.dto';

@Controller('external/v1/encounters/:encounter_id/documents')
export class DocumentsController {
  constructor(private readonly documents: DocumentsService) {}

  @Get(':document_id')
  @PartnerEndpoint('documents.read')
  get(
    @Param('encounter_id') encounterId: string,
    @Param('document_id') documentId: string,
    @PartnerCall() call: PartnerCall,
  ): Promise<DocumentDetailDto> {
    return this.documents.get(call.organizationId, encounterId, documentId);
  }

  @Get(':document_id/transcript')
  @PartnerEndpoint('documents.transcript')
  getTranscript(
    @Param('encounter_id') encounterId: string,
    @Param('document_id') documentId: string,
    @PartnerCall() call: PartnerCall,
  ): Promise<TranscriptResponseDto> {
    return this.documents.getTranscript(call.organizationId, encounterId, documentId);
  }
}
