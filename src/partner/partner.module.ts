import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { PartnerEntity } from './entities/partner.entity';
import { PartnerRouteGuard } from './guards/partner-route.guard';
import { PartnerAccessService } from './partner-access.service';
import { PartnerAllowlistService } from './partner-allowlist.service';
import { PhiDisclosureGate } from './phi-disclosure-gate';

/**
 * The partner allowlist (which organizations are partners, for which routes), the guards of
 * `@PartnerEndpoint`, and the gate that audits what a partner endpoint discloses before it is
 * sent. A module with partner endpoints imports this one: it also exports AuthModule, whose
 * guards `@PartnerEndpoint` applies, and AuditModule.
 */
@Module({
  imports: [TypeOrmModule.forFeature([PartnerEntity]), AuthModule, AuditModule, OrganizationsModule],
  providers: [PartnerAccessService, PartnerRouteGuard, PartnerAllowlistService, PhiDisclosureGate],
  exports: [AuthModule, AuditModule, PartnerAccessService, PartnerRouteGuard, PartnerAllowlistService, PhiDisclosureGate],
})
export class PartnerModule {}
