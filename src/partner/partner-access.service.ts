import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { PartnerEntity } from './entities/partner.entity';
import type { PartnerRouteId } from './partner-routes';

@Injectable()
export class PartnerAccessService {
  constructor(@InjectRepository(PartnerEntity) private readonly partners: Repository<PartnerEntity>) {}

  /** The route ids enabled for an organization, or null when it is not an allowlisted partner. */
  async enabledRoutesOf(organizationId: string): Promise<readonly PartnerRouteId[] | null> {
    const partner = await this.partners.findOne({ where: { organizationId }, select: { enabledRoutes: true } });
    return partner?.enabledRoutes ?? null;
  }
}
