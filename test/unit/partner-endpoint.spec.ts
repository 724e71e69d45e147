import { GUARDS_METADATA } from '@nestjs/common/constants.js';
import { Reflector } from '@nestjs/core';
import { ApiKeyGuard } from '../../src/auth/guards/api-key.guard';
import { KeyRateLimitGuard } from '../../src/auth/guards/key-rate-limit.guard';
import { OrganizationKeyGuard } from '../../src/auth/guards/organization-key.guard';
import { ScopeGuard } from '../../src/auth/guards/scope.guard';
import { Disclosed } from '../../src/audit/disclosure';
import { RequiredScopes } from '../../src/auth/required-scopes.decorator';
import { PartnerRouteGuard } from '../../src/partner/guards/partner-route.guard';
import { PartnerCall } from '../../src/partner/partner-call.decorator';
import { PartnerEndpoint } from '../../src/partner/partner-endpoint.decorator';
import { PartnerRoute } from '../../src/partner/partner-route.metadata';

const disclosedNothing = () => Promise.resolve(new Disclosed({}, []));

describe('@PartnerEndpoint', () => {
  it('compiles only on a handler that returns Promise<Disclosed<…>>: what it discloses is audited before it is sent', () => {
    class UndisclosingController {
      // @ts-expect-error: the typecheck (npm run typecheck) fails if @PartnerEndpoint accepts a handler that discloses nothing.
      @PartnerEndpoint('encounters.read', { summary: 'test' })
      get(@PartnerCall() _call: PartnerCall): Promise<object> {
        return Promise.resolve({});
      }
    }
    expect(UndisclosingController).toBeDefined();
  });

  it('fails at class definition, naming the method, when the handler has no @PartnerCall() parameter', () => {
    const defineController = () => {
      class ForgetfulController {
        @PartnerEndpoint('encounters.read', { summary: 'test' })
        get(_encounterId: string): Promise<Disclosed<object>> {
          return disclosedNothing();
        }
      }
      return ForgetfulController;
    };

    expect(defineController).toThrow('ForgetfulController.get (encounters.read) must declare a @PartnerCall() parameter');
  });

  it('requires @PartnerCall() on the decorated method itself, not on a sibling', () => {
    const defineController = () => {
      class SiblingController {
        other(@PartnerCall() _call: PartnerCall): void {}

        @PartnerEndpoint('encounters.list', { summary: 'test' })
        list(): Promise<Disclosed<object>> {
          return disclosedNothing();
        }
      }
      return SiblingController;
    };

    expect(defineController).toThrow(/SiblingController\.list \(encounters\.list\)/);
  });

  describe('on a handler that declares @PartnerCall()', () => {
    const defineController = () => {
      class WellFormedController {
        @PartnerEndpoint('documents.read', { summary: 'test' })
        get(_documentId: string, @PartnerCall() _call: PartnerCall): Promise<Disclosed<object>> {
          return disclosedNothing();
        }
      }
      return WellFormedController;
    };

    it('defines the class', () => {
      expect(defineController).not.toThrow();
    });

    it('applies exactly the guards of the order of checks: authentication, the key’s budget, key type, partner route, scopes', () => {
      const handler = defineController().prototype.get;
      expect(Reflect.getMetadata(GUARDS_METADATA, handler)).toEqual([ApiKeyGuard, KeyRateLimitGuard, OrganizationKeyGuard, PartnerRouteGuard, ScopeGuard]);
    });

    it('records the partner route id and, from the route table, the scopes the guards read', () => {
      const handler = defineController().prototype.get;
      expect(new Reflector().get(PartnerRoute, handler)).toBe('documents.read');
      expect(new Reflector().get(RequiredScopes, handler)).toEqual(['encounters:read', 'documents:read']);
    });
  });
});
