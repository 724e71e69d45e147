import { Injectable } from '@nestjs/common';
import { Disclosed } from '../audit/disclosure';
import type { EncounterDetailDto, EncounterListDto } from './dto/encounter.dto';
import type { EncounterListQuery } from './dto/encounter-list.query';
import { assertEncounterReadable } from './encounter-access';
import type { EncounterListCriteria, EncounterViewRow } from './encounter-queries';
import { EncounterRepository } from './encounter.repository';
import { disclosedEncounterOf, toEncounterDto } from './encounter.mapper';

@Injectable()
export class EncountersService {
  constructor(private readonly encounters: EncounterRepository) {}

  async list(organizationId: string, query: EncounterListQuery): Promise<Disclosed<EncounterListDto>> {
    const criteria: EncounterListCriteria = {
      organizationId,
      limit: query.limit,
      offset: query.offset,
      sortOrder: query.sort_order,
      startAt: query.start_at?.toDateRoundedUp(),
      endAt: query.end_at?.toDateRoundedUp(),
    };
    const { encounters, total } = await this.encounters.list(criteria);
    return new Disclosed({ items: encounters.map(toEncounterDto), limit: query.limit, offset: query.offset, total }, encounters.map(disclosedEncounterOf));
  }

  async get(organizationId: string, encounterId: string): Promise<Disclosed<EncounterDetailDto>> {
    const row = await this.encounters.findEncounter(organizationId, encounterId);
    assertEncounterReadable(row);
    const encounter = row as EncounterViewRow;
    return new Disclosed({ encounter: toEncounterDto(encounter) }, [disclosedEncounterOf(encounter)]);
  }
}
