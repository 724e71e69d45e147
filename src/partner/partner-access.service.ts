import { Injectable } from '@nestjs/common';
import { InjectRepository } from '@nestjs/typeorm';
import { Repository } from 'typeorm';
import { Clock } from '../common/clock';
import { TtlCache } from '../common/ttl-cache';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { PartnerEntity } from './entities/partner.entity';
import type { PartnerRouteId } from './partner-routes';

/** As for keys (see KEY_CACHE_TTL_MS): another process's allowlist change is seen within a second. */
const PARTNER_CACHE_TTL_MS = 1_000;
const MAX_CACHED_PARTNERS = 10_000;

@Injectable()
export class PartnerAccessService {
  private readonly cache: TtlCache<string, readonly PartnerRouteId[] | null>;

  constructor(
    @InjectRepository(PartnerEntity) private readonly partners: Repository<PartnerEntity>,
    private readonly metrics: MetricsRegistry,
    clock: Clock,
  ) {
    this.cache = new TtlCache(PARTNER_CACHE_TTL_MS, MAX_CACHED_PARTNERS, clock);
  }

  /** The route ids enabled for an organization, or null when it is not an allowlisted partner. */
  async enabledRoutesOf(organizationId: string): Promise<readonly PartnerRouteId[] | null> {
    const cached = this.cache.get(organizationId);
    this.metrics.cacheLookups.inc({ cache: 'partner_allowlists', result: cached === undefined ? 'miss' : 'hit' });
    if (cached !== undefined) return cached;
    const partner = await this.partners.findOne({ where: { organizationId }, select: { enabledRoutes: true } });
    const routes = partner?.enabledRoutes ?? null;
    this.cache.set(organizationId, routes);
    return routes;
  }

  /** A change made in this process is seen by it at once. */
  forget(organizationId: string): void {
    this.cache.delete(organizationId);
  }
}
