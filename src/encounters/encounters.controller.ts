import { Controller, Get, Param } from '@nestjs/common';
import { PartnerCall } from '../partner/partner-call.decorator';
import { PartnerEndpoint } from '../partner/partner-endpoint.decorator';
import type { EncounterDetailDto, EncounterListDto } from './dto/encounter.dto';
import { ENCOUNTER_LIST_QUERY, type EncounterListQuery } from './dto/encounter-list.query';
import { EncountersService } from './encounters.service';

@Controller('external/v1/encounters')
export class EncountersController {
  constructor(private readonly encounters: EncountersService) {}

  @Get()
  @PartnerEndpoint('encounters.list')
  list(@PartnerCall(ENCOUNTER_LIST_QUERY) call: PartnerCall<EncounterListQuery>): Promise<EncounterListDto> {
    return this.encounters.list(call.organizationId, call.query);
  }

  @Get(':encounter_id')
  @PartnerEndpoint('encounters.read')
  get(@Param('encounter_id') encounterId: string, @PartnerCall() call: PartnerCall): Promise<EncounterDetailDto> {
    return this.encounters.get(call.organizationId, encounterId);
  }
}
