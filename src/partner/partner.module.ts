import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganizationEntity } from './entities/organization.entity';
import { PartnerEntity } from './entities/partner.entity';
import { PartnerRouteGuard } from './guards/partner-route.guard';
import { OrganizationsService } from './organizations.service';
import { PartnerAccessService } from './partner-access.service';
import { PartnerAllowlistService } from './partner-allowlist.service';

/** Organizations and the partner allowlist: which organizations are partners, and for which routes. */
@Module({
  imports: [TypeOrmModule.forFeature([OrganizationEntity, PartnerEntity])],
  providers: [PartnerAccessService, PartnerRouteGuard, OrganizationsService, PartnerAllowlistService],
  exports: [PartnerAccessService, PartnerRouteGuard, OrganizationsService, PartnerAllowlistService],
})
export class PartnerModule {}
