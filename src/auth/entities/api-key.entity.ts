import { Check, Column, CreateDateColumn, Entity, Index, JoinColumn, ManyToOne, PrimaryColumn } from 'typeorm';
import { OrganizationEntity } from '../../organizations/entities/organization.entity';
import type { ApiKeyScopeType, ApiKeyStatus } from '../api-key-types';
import type { Scope } from '../scopes';

/**
 * An issued API key. The token itself is never stored: only its keyed digest
 * (HMAC-SHA-256 under the digest secret), which is how a request finds its key.
 */
@Entity('api_keys')
@Check('CHK_api_keys_status', `"status" IN ('active', 'disabled', 'revoked')`)
@Check('CHK_api_keys_scope_type', `"scope_type" IN ('organization', 'user', 'platform')`)
@Index('IDX_api_keys_organization', ['organizationId'])
export class ApiKeyEntity {
  @PrimaryColumn('text', { name: 'key_id' })
  keyId: string;

  @Column('text', { name: 'organization_id' })
  organizationId: string;

  @ManyToOne(() => OrganizationEntity, { onDelete: 'CASCADE' })
  @JoinColumn({ name: 'organization_id', foreignKeyConstraintName: 'FK_api_keys_organization' })
  organization?: OrganizationEntity;

  /** Hex HMAC-SHA-256 of the token. */
  @Index('UQ_api_keys_token_digest', { unique: true })
  @Column('text', { name: 'token_digest' })
  tokenDigest: string;

  /** Which digest secret made `tokenDigest` (ApiKeyDigestService); null for keys issued before it was kept, until their next use. */
  @Column('text', { name: 'digest_secret_id', nullable: true })
  digestSecretId: string | null;

  /** Non-secret start of the token, for people to tell keys apart (`ch_sk_exam…`). */
  @Column('text', { name: 'display_prefix' })
  displayPrefix: string;

  @Column('text', { name: 'scope_type', default: 'organization' })
  scopeType: ApiKeyScopeType;

  @Column('text', { array: true, default: () => "'{}'" })
  scopes: Scope[];

  @Column('text', { default: 'active' })
  status: ApiKeyStatus;

  @Column('timestamptz', { name: 'expires_at', nullable: true })
  expiresAt: Date | null;

  @Column('timestamptz', { name: 'last_used_at', nullable: true })
  lastUsedAt: Date | null;

  @CreateDateColumn({ name: 'created_at', type: 'timestamptz' })
  createdAt: Date;
}
