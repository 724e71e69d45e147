import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { DataSource, Repository } from 'typeorm';
import { InvalidInputError, quoted } from '../common/invalid-input.error';
import { PartnerEntity } from './entities/partner.entity';
import { OrganizationsService } from '../organizations/organizations.service';
import { PartnerAccessService } from './partner-access.service';
import { isPartnerRouteId, PARTNER_ROUTE_IDS, PartnerRouteId } from './partner-routes';

export interface PartnerAllowed {
  routes: PartnerRouteId[];
  /** null: it was not a partner. */
  previousRoutes: PartnerRouteId[] | null;
}

/** Which organizations are partners, and which route ids each one may call. */
@Injectable()
export class PartnerAllowlistService {
  constructor(
    private readonly dataSource: DataSource,
    private readonly organizations: OrganizationsService,
    private readonly partnerAccess: PartnerAccessService,
    @InjectRepository(PartnerEntity) private readonly partners: Repository<PartnerEntity>,
  ) {}

  /** Allowlists an organization for exactly `routeIds` (at least one), replacing the routes it had. */
  async allow(organizationId: string, routeIds: readonly string[]): Promise<PartnerAllowed> {
    const routes = knownRouteIds(routeIds);
    await this.organizations.requireExisting(organizationId);
    const allowed = await this.dataSource.transaction(async (manager) => {
      const partner = await manager.findOne(PartnerEntity, { where: { organizationId }, lock: { mode: 'pessimistic_write' } });
      if (partner) await manager.update(PartnerEntity, { organizationId }, { enabledRoutes: routes });
      else await manager.insert(PartnerEntity, { organizationId, enabledRoutes: routes });
      return { routes, previousRoutes: partner?.enabledRoutes ?? null };
    });
    // Seen by this process at once; by others within the allowlist cache's TTL.
    this.partnerAccess.forget(organizationId);
    return allowed;
  }

  /** Removes an organization from the allowlist: its keys then get `organization_not_allowlisted`. */
  async deny(organizationId: string): Promise<void> {
    await this.organizations.requireExisting(organizationId);
    const { affected } = await this.partners.delete({ organizationId });
    if (!affected) throw new InvalidInputError(`organization ${quoted(organizationId)} is not a partner`);
    this.partnerAccess.forget(organizationId);
  }
}

function knownRouteIds(routeIds: readonly string[]): PartnerRouteId[] {
  const known = `(known: ${PARTNER_ROUTE_IDS.join(', ')})`;
  if (routeIds.length === 0) throw new InvalidInputError(`at least one route id is required ${known}`);
  const unknown = routeIds.find((id) => !isPartnerRouteId(id));
  if (unknown !== undefined) throw new InvalidInputError(`unknown route id ${quoted(unknown)} ${known}`);
  return [...new Set(routeIds.filter(isPartnerRouteId))];
}
