import { Controller, Get, Param } from '@nestjs/common';
import { ApiOkResponse, ApiParam, ApiTags } from '@nestjs/swagger';
import type { Disclosed } from '../audit/disclosure';
import { PartnerCall } from '../partner/partner-call.decorator';
import { PartnerEndpoint } from '../partner/partner-endpoint.decorator';
import { EncounterDetailDto, EncounterListDto } from './dto/encounter.dto';
import { ENCOUNTER_LIST_QUERY, type EncounterListQuery } from './dto/encounter-list.query';
import { GUIDE_DETAIL_EXAMPLE, GUIDE_LIST_EXAMPLE } from './dto/guide-examples';
import { ENCOUNTER_LOOKUP_ERRORS } from './encounter-access';
import { EncountersService } from './encounters.service';

@ApiTags('Encounters')
@Controller('external/v1/encounters')
export class EncountersController {
  constructor(private readonly encounters: EncountersService) {}

  @Get()
  @PartnerEndpoint('encounters.list', { summary: 'List the encounters of the caller organization' })
  @ApiOkResponse({ type: EncounterListDto, example: GUIDE_LIST_EXAMPLE })
  list(@PartnerCall(ENCOUNTER_LIST_QUERY) call: PartnerCall<EncounterListQuery>): Promise<Disclosed<EncounterListDto>> {
    return this.encounters.list(call.organizationId, call.query);
  }

  @Get(':encounter_id')
  @PartnerEndpoint('encounters.read', { summary: 'Read one encounter', lookupErrors: ENCOUNTER_LOOKUP_ERRORS })
  @ApiParam({ name: 'encounter_id', description: 'An opaque ChartHero encounter id.', example: 'enc_9YpJvK2' })
  @ApiOkResponse({ type: EncounterDetailDto, example: GUIDE_DETAIL_EXAMPLE })
  get(@Param('encounter_id') encounterId: string, @PartnerCall() call: PartnerCall): Promise<Disclosed<EncounterDetailDto>> {
    return this.encounters.get(call.organizationId, encounterId);
  }
}
