import { Module } from '@nestjs/common';
import { TypeOrmModule } from '@nestjs/typeorm';
import { ApiKeyAuthenticator } from './api-key-authenticator.service';
import { ApiKeyDigestService } from './api-key-digest.service';
import { ApiKeyUsageRecorder } from './api-key-usage-recorder.service';
import { ApiKeyEntity } from './entities/api-key.entity';
import { ApiKeyGuard } from './guards/api-key.guard';
import { OrganizationKeyGuard } from './guards/organization-key.guard';
import { ScopeGuard } from './guards/scope.guard';

/** API-key authentication: who is calling, with which key type and scopes. */
@Module({
  imports: [TypeOrmModule.forFeature([ApiKeyEntity])],
  providers: [ApiKeyDigestService, ApiKeyAuthenticator, ApiKeyUsageRecorder, ApiKeyGuard, OrganizationKeyGuard, ScopeGuard],
  exports: [ApiKeyDigestService, ApiKeyAuthenticator, ApiKeyGuard, OrganizationKeyGuard, ScopeGuard],
})
export class AuthModule {}
