import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { AuditModule } from '../audit/audit.module';
import { AuthModule } from '../auth/auth.module';
import { OrganizationsModule } from '../organizations/organizations.module';
import { PartnerEntity } from './entities/partner.entity';
import { PartnerRouteGuard } from './guards/partner-route.guard';
import { PartnerAccessService } from './partner-access.service';
import { PartnerAllowlistService } from './partner-allowlist.service';
import { PhiAccessInterceptor } from './phi-access.interceptor';

/**
 * The partner allowlist (which organizations are partners, for which routes) and the guards of
 * `@PartnerEndpoint`, and its audit interceptor. A module with partner endpoints imports this
 * one: it also exports AuthModule, whose guards `@PartnerEndpoint` applies, and AuditModule.
 */
@Module({
  imports: [TypeOrmModule.forFeature([PartnerEntity]), AuthModule, AuditModule, OrganizationsModule],
  providers: [PartnerAccessService, PartnerRouteGuard, PartnerAllowlistService, PhiAccessInterceptor],
  exports: [AuthModule, AuditModule, PartnerAccessService, PartnerRouteGuard, PartnerAllowlistService, PhiAccessInterceptor],
})
export class PartnerModule {}
