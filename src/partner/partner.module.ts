import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganizationEntity } from './entities/organization.entity';
import { PartnerEntity } from './entities/partner.entity';
import { PartnerRouteGuard } from './guards/partner-route.guard';
import { PartnerAccessService } from './partner-access.service';

/** Partner organizations: which organizations are allowlisted, and for which routes. */
@Module({
  imports: [TypeOrmModule.forFeature([OrganizationEntity, PartnerEntity])],
  providers: [PartnerAccessService, PartnerRouteGuard],
  exports: [PartnerAccessService, PartnerRouteGuard],
})
export class PartnerModule {}
