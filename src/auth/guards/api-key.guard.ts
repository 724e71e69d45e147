import { CanActivate, ExecutionContext, Injectable } from '@nestjs/common';
import { ApiError } from '../../common/api-error';
import { ApiKeyAuthenticator } from '../api-key-authenticator.service';
import { bearerTokenOf } from '../api-key-token';
import { AuthenticatedRequest } from '../caller';

/** Check 1: who is calling (`missing_bearer` … `api_keys_disabled`, `digest_key_unavailable`). */
@Injectable()
export class ApiKeyGuard implements CanActivate {
  constructor(private readonly authenticator: ApiKeyAuthenticator) {}

  async canActivate(context: ExecutionContext): Promise<boolean> {
    const request = context.switchToHttp().getRequest<AuthenticatedRequest>();
    const token = bearerTokenOf(request.headers.authorization);
    if (token === null) throw new ApiError('missing_bearer');
    request.caller = await this.authenticator.authenticate(token);
    return true;
  }
}
