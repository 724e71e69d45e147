import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuthModule } from '../auth/auth.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { PartnerEntity } from './entities/partner.entity';
import { PartnerRouteGuard } from './guards/partner-route.guard';
import { PartnerAccessService } from './partner-access.service';
import { PartnerAllowlistService } from './partner-allowlist.service';

/**
 * The partner allowlist (which organizations are partners, for which routes) and the guards of
 * `@PartnerEndpoint`. A module with partner endpoints imports this one: it also exports
 * AuthModule, whose guards `@PartnerEndpoint` applies.
 */
@Module({
  imports: [TypeOrmModule.forFeature([PartnerEntity]), AuthModule, OrganizationsModule],
  providers: [PartnerAccessService, PartnerRouteGuard, PartnerAllowlistService],
  exports: [AuthModule, PartnerAccessService, PartnerRouteGuard, PartnerAllowlistService],
})
export class PartnerModule {}
