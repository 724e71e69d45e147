import { Reflector } from '@nestjs/core';
import { ExecutionContextHost } from '@nestjs/core/helpers/execution-context-host.js';
import type { ApiKeyAuthenticator } from '../../src/auth/api-key-authenticator.service';
import type { Caller } from '../../src/auth/caller';
import { ApiKeyGuard } from '../../src/auth/guards/api-key.guard';
import { OrganizationKeyGuard } from '../../src/auth/guards/organization-key.guard';
import { ScopeGuard } from '../../src/auth/guards/scope.guard';
import { RequiredScopes } from '../../src/auth/required-scopes.decorator';
import type { Scope } from '../../src/auth/scopes';
import { ApiError } from '../../src/common/api-error';
import { PartnerRouteGuard } from '../../src/partner/guards/partner-route.guard';
import type { PartnerAccessService } from '../../src/partner/partner-access.service';
import { PartnerRoute } from '../../src/partner/partner-route.metadata';
import type { RateLimits } from '../../src/rate-limits/rate-limits';
import type { PartnerRouteId } from '../../src/partner/partner-routes';

/** Handlers with the metadata `@PartnerEndpoint` sets: a partner route id, and that route's scopes. */
class PartnerHandlers {
  @PartnerRoute('encounters.list')
  @RequiredScopes(['encounters:read', 'patients:read', 'documents:read'])
  list(): void {}

  @PartnerRoute('documents.read')
  @RequiredScopes(['encounters:read', 'documents:read'])
  readDocument(): void {}

  withoutPartnerRoute(): void {}
}

interface FakeRequest {
  headers: { authorization?: string };
  ip?: string;
  caller?: Caller;
}

function contextFor(request: FakeRequest, handler: () => void = PartnerHandlers.prototype.list) {
  // Node's request has each header also as the list of every line that gave it.
  const headersDistinct = Object.fromEntries(Object.entries(request.headers).map(([name, value]) => [name, [value]]));
  return new ExecutionContextHost([Object.assign(request, { headersDistinct }), {}, () => undefined], PartnerHandlers, handler);
}

function callerWith(overrides: Partial<Caller> = {}): Caller {
  return {
    keyId: 'key_1',
    organizationId: 'org_A',
    scopeType: 'organization',
    scopes: ['encounters:read', 'patients:read', 'documents:read'],
    ...overrides,
  };
}

/** What `run` threw or rejected with. */
async function failureOf(run: () => unknown): Promise<unknown> {
  try {
    await run();
  } catch (error) {
    return error;
  }
  throw new Error('expected the guard to refuse, but it let the request through');
}

async function apiErrorOf(run: () => unknown): Promise<ApiError> {
  const error = await failureOf(run);
  expect(error).toBeInstanceOf(ApiError);
  return error as ApiError;
}

async function programmingErrorOf(run: () => unknown): Promise<Error> {
  const error = await failureOf(run);
  expect(error).toBeInstanceOf(Error);
  expect(error).not.toBeInstanceOf(ApiError);
  return error as Error;
}

describe('ApiKeyGuard (check 1: authentication)', () => {
  const caller = callerWith();
  const authenticate = jest.fn(async (_token: string, _clientAddress: string): Promise<Caller> => caller);
  // The guard only calls authenticate(); the real one needs a database. No budget is tracked here (rate-limits.e2e-spec).
  const noBudgets = { failedAuth: { peek: async () => null } } as unknown as RateLimits;
  const guard = new ApiKeyGuard({ authenticate } satisfies Pick<ApiKeyAuthenticator, 'authenticate'> as unknown as ApiKeyAuthenticator, noBudgets);

  beforeEach(() => authenticate.mockClear());

  it.each([
    ['no Authorization header', undefined],
    ['an empty header', ''],
    ['another scheme', 'Basic ch_sk_example_123'],
    ['the scheme alone', 'Bearer'],
    ['an empty token', 'Bearer '],
    ['two spaces before the token', 'Bearer  ch_sk_example_123'],
    ['two tokens', 'Bearer ch_sk_example_123 ch_sk_example_456'],
    ['no space after the scheme', 'Bearerch_sk_example_123'],
    ['a leading space', ' Bearer ch_sk_example_123'],
    ['a trailing space', 'Bearer ch_sk_example_123 '],
    ['a tab instead of a space', 'Bearer\tch_sk_example_123'],
  ])('answers missing_bearer for %s, without looking the token up', async (_, authorization) => {
    const error = await apiErrorOf(() => guard.canActivate(contextFor({ headers: { authorization } })));
    expect(error.reasonCode).toBe('missing_bearer');
    expect(authenticate).not.toHaveBeenCalled();
  });

  it.each(['Bearer', 'bearer', 'BEARER', 'bEaReR'])('passes the token of "%s <token>" to the authenticator and records the caller', async (scheme) => {
    const request: FakeRequest = { headers: { authorization: `${scheme} ch_sk_example_123` }, ip: '203.0.113.9' };

    await expect(guard.canActivate(contextFor(request))).resolves.toBe(true);
    expect(authenticate).toHaveBeenCalledTimes(1);
    expect(authenticate).toHaveBeenCalledWith('ch_sk_example_123', '203.0.113.9');
    expect(request.caller).toBe(caller);
  });

  it('leaves the token shape to the authenticator (a malformed token is not missing_bearer)', async () => {
    await guard.canActivate(contextFor({ headers: { authorization: 'Bearer not-a-key' } }));
    expect(authenticate).toHaveBeenCalledWith('not-a-key', expect.any(String));
  });

  it("refuses with the authenticator's reason code and records no caller", async () => {
    authenticate.mockRejectedValueOnce(new ApiError('revoked_key'));
    const request: FakeRequest = { headers: { authorization: 'Bearer ch_sk_example_123' } };

    const error = await apiErrorOf(() => guard.canActivate(contextFor(request)));
    expect(error.reasonCode).toBe('revoked_key');
    expect(request.caller).toBeUndefined();
  });
});

describe('OrganizationKeyGuard (check 2: organization-scoped keys only)', () => {
  const guard = new OrganizationKeyGuard();

  it('lets an organization-scoped key through', () => {
    expect(guard.canActivate(contextFor({ headers: {}, caller: callerWith({ scopeType: 'organization' }) }))).toBe(true);
  });

  it.each(['user', 'platform'] as const)('refuses a %s-scoped key with org_scope_only_required', async (scopeType) => {
    const error = await apiErrorOf(() => guard.canActivate(contextFor({ headers: {}, caller: callerWith({ scopeType }) })));
    expect(error.reasonCode).toBe('org_scope_only_required');
  });

  it('throws a programming error when no ApiKeyGuard ran before it', async () => {
    await programmingErrorOf(() => guard.canActivate(contextFor({ headers: {} })));
  });
});

describe('PartnerRouteGuard (check 3: partner route enablement)', () => {
  /** organization id → its enabled routes; absent means not a partner. */
  const partners = new Map<string, readonly PartnerRouteId[]>([
    ['org_no_routes', []],
    ['org_read_only', ['encounters.read', 'documents.read']],
    ['org_list', ['encounters.list']],
  ]);
  const partnerAccess = {
    enabledRoutesOf: jest.fn(async (organizationId: string) => partners.get(organizationId) ?? null),
  } satisfies Pick<PartnerAccessService, 'enabledRoutesOf'>;
  // The guard only calls enabledRoutesOf(); the real service needs a database.
  const guard = new PartnerRouteGuard(new Reflector(), partnerAccess as unknown as PartnerAccessService);
  const requestFrom = (organizationId: string): FakeRequest => ({ headers: {}, caller: callerWith({ organizationId }) });

  it('refuses an organization that is not a partner with organization_not_allowlisted', async () => {
    const error = await apiErrorOf(() => guard.canActivate(contextFor(requestFrom('org_stranger'))));
    expect(error.reasonCode).toBe('organization_not_allowlisted');
    expect(partnerAccess.enabledRoutesOf).toHaveBeenLastCalledWith('org_stranger');
  });

  it.each([
    ['no route enabled', 'org_no_routes'],
    ['other routes only', 'org_read_only'],
  ])('refuses a partner with %s with route_not_allowed', async (_, organizationId) => {
    const error = await apiErrorOf(() => guard.canActivate(contextFor(requestFrom(organizationId))));
    expect(error.reasonCode).toBe('route_not_allowed');
  });

  it("lets a partner through on a route it has enabled, judged by the handler's route id", async () => {
    await expect(guard.canActivate(contextFor(requestFrom('org_list'), PartnerHandlers.prototype.list))).resolves.toBe(true);
    await expect(guard.canActivate(contextFor(requestFrom('org_read_only'), PartnerHandlers.prototype.readDocument))).resolves.toBe(true);
  });

  it('throws a programming error, not an ApiError, for a handler without a partner route id', async () => {
    const error = await programmingErrorOf(() => guard.canActivate(contextFor(requestFrom('org_list'), PartnerHandlers.prototype.withoutPartnerRoute)));
    expect(error.message).toContain('withoutPartnerRoute');
  });
});

describe('ScopeGuard (check 4: every required scope)', () => {
  const guard = new ScopeGuard(new Reflector());
  const requestWith = (scopes: Scope[]): FakeRequest => ({ headers: {}, caller: callerWith({ scopes }) });

  it('lets a key with every required scope through, extra scopes included', () => {
    expect(guard.canActivate(contextFor(requestWith(['documents:read', 'patients:read', 'encounters:read'])))).toBe(true);
    expect(guard.canActivate(contextFor(requestWith(['encounters:read', 'patients:read', 'documents:read', 'recordings:read'])))).toBe(true);
  });

  it("requires the handler's scopes only (documents.read needs no patients:read)", () => {
    expect(guard.canActivate(contextFor(requestWith(['encounters:read', 'documents:read']), PartnerHandlers.prototype.readDocument))).toBe(true);
  });

  it.each([
    [['encounters:read'], ['documents:read', 'patients:read']],
    [
      ['documents:read', 'recordings:read'],
      ['encounters:read', 'patients:read'],
    ],
    [[], ['documents:read', 'encounters:read', 'patients:read']],
  ] satisfies [Scope[], Scope[]][])('refuses a key with %j with missing_scope listing %j, sorted', async (scopes, missingScopes) => {
    const error = await apiErrorOf(() => guard.canActivate(contextFor(requestWith(scopes))));
    expect(error.reasonCode).toBe('missing_scope');
    expect(error.details.missingScopes).toEqual(missingScopes);
  });

  it('throws a programming error, not an ApiError, for a handler that declares no required scopes', async () => {
    const error = await programmingErrorOf(() => guard.canActivate(contextFor(requestWith([]), PartnerHandlers.prototype.withoutPartnerRoute)));
    expect(error.message).toContain('withoutPartnerRoute has no @RequiredScopes');
  });
});
