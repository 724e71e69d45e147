import { Reflector } from '@nestjs/core';
import type { Scope } from './scopes';

/**
 * The scopes a key needs for a handler, all of them (scopes are additive); read by `ScopeGuard`.
 * Set through `@PartnerEndpoint`, which takes them from the partner route table.
 */
export const RequiredScopes = Reflector.createDecorator<readonly Scope[]>();
