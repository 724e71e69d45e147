import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Disclosed } from '../audit/disclosure';
import { PartnerCall } from '../partner/partner-call.decorator';
import { PartnerEndpoint } from '../partner/partner-endpoint.decorator';
import { AUDIO_LOOKUP_ERRORS, AudioService } from './audio.service';
import { AudioUrlDto } from './dto/audio-url.dto';
import { RequestOrigin } from './request-origin.decorator';

/** The audio route: a document route, served by the module that keeps the recordings. */
@ApiTags('Documents')
@ApiParam({ name: 'encounter_id', description: 'An opaque ChartHero encounter id.', example: 'enc_9YpJvK2' })
@ApiParam({ name: 'document_id', description: 'The id of an `ambient_transcript` document of the encounter.', example: 'doc_Ambient1' })
@Controller('external/v1/encounters/:encounter_id/documents')
export class AudioController {
  constructor(private readonly audio: AudioService) {}

  @Get(':document_id/audio')
  @PartnerEndpoint('documents.audio', { summary: 'Get a short-lived URL to the recording of an ambient transcript', lookupErrors: AUDIO_LOOKUP_ERRORS })
  @ApiOkResponse({ type: AudioUrlDto })
  getAudio(
    @Param('encounter_id') encounterId: string,
    @Param('document_id') documentId: string,
    @PartnerCall() call: PartnerCall,
    @RequestOrigin() origin: string,
  ): Promise<Disclosed<AudioUrlDto>> {
    return this.audio.audioUrl(call.organizationId, call.keyId, encounterId, documentId, origin);
  }
}
