import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { OrganizationsModule } from '../organizations/organizations.module';
import { RateLimitsModule } from '../rate-limits/rate-limits.module';
import { ApiKeyAuthenticator } from './api-key-authenticator.service';
import { ApiKeyDigestService } from './api-key-digest.service';
import { ApiKeyUsageRecorder } from './api-key-usage-recorder.service';
import { ApiKeysService } from './api-keys.service';
import { ApiKeyEntity } from './entities/api-key.entity';
import { ApiKeyGuard } from './guards/api-key.guard';
import { KeyRateLimitGuard } from './guards/key-rate-limit.guard';
import { OrganizationKeyGuard } from './guards/organization-key.guard';
import { ScopeGuard } from './guards/scope.guard';
import { VerifiedKeyCache } from './verified-key-cache';

/** API keys: authentication (who is calling, with which key type and scopes), their budgets, and their lifecycle. */
@Module({
  // A key belongs to an organization that must exist; the guards spend the request budgets.
  imports: [TypeOrmModule.forFeature([ApiKeyEntity]), OrganizationsModule, RateLimitsModule],
  providers: [ApiKeyDigestService, ApiKeyAuthenticator, ApiKeyUsageRecorder, VerifiedKeyCache, ApiKeysService, ApiKeyGuard, KeyRateLimitGuard, OrganizationKeyGuard, ScopeGuard],
  exports: [ApiKeyDigestService, ApiKeyAuthenticator, VerifiedKeyCache, ApiKeysService, ApiKeyGuard, KeyRateLimitGuard, OrganizationKeyGuard, ScopeGuard, RateLimitsModule],
})
export class AuthModule {}
