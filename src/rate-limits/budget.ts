import { RateLimiterRes, type RateLimiterAbstract } from 'rate-limiter-flexible';

/** The budgets of docs/api.md "Rate limits", named as the `RateLimit-Policy` header names them. */
export type BudgetPolicy = 'per-key' | 'failed-auth';

/** Where one counter stands in its window: what the RateLimit headers and a 429 say. */
export interface BudgetState {
  readonly policy: BudgetPolicy;
  readonly quota: number;
  readonly windowSeconds: number;
  readonly remaining: number;
  /** Whole seconds until the window resets (at least 1). */
  readonly resetSeconds: number;
  /** True when this request is past the quota: it gets 429. */
  readonly exceeded: boolean;
}

/**
 * One budget: `quota` per `windowSeconds` for each id (a key id, a client address), counted
 * by a rate-limiter-flexible limiter (in memory, or in Redis for every instance). `null` from
 * a method: no limit applies — the budget is off (quota 0), or its store failed, which
 * `onStoreError` hears of (fail open: docs/operations.md "Deploying").
 */
export class Budget {
  constructor(
    readonly policy: BudgetPolicy,
    readonly quota: number,
    readonly windowSeconds: number,
    private readonly limiter: RateLimiterAbstract | null,
    private readonly onStoreError: (error: unknown) => void,
  ) {}

  get enabled(): boolean {
    return this.limiter !== null;
  }

  /** Spends one request of `id`'s budget: exceeded once more than `quota` were spent in the window. */
  async consume(id: string): Promise<BudgetState | null> {
    if (this.limiter === null) return null;
    try {
      return this.stateOf(await this.limiter.consume(id), false);
    } catch (outcome) {
      // rate-limiter-flexible rejects with the counter's state when over, with an Error when the store failed.
      if (outcome instanceof RateLimiterRes) return this.stateOf(outcome, true);
      this.onStoreError(outcome);
      return null;
    }
  }

  /** Where `id`'s budget stands, spending nothing: exceeded once `quota` were spent in the window. */
  async peek(id: string): Promise<BudgetState | null> {
    if (this.limiter === null) return null;
    try {
      const counter = await this.limiter.get(id);
      if (counter === null)
        return { policy: this.policy, quota: this.quota, windowSeconds: this.windowSeconds, remaining: this.quota, resetSeconds: this.windowSeconds, exceeded: false };
      return this.stateOf(counter, counter.consumedPoints >= this.quota);
    } catch (error) {
      this.onStoreError(error);
      return null;
    }
  }

  private stateOf(counter: RateLimiterRes, exceeded: boolean): BudgetState {
    return {
      policy: this.policy,
      quota: this.quota,
      windowSeconds: this.windowSeconds,
      // A refusal leaves nothing, whatever the counter says: over budget, the Redis limiter
      // answers from its in-memory block of the id, which counts nothing.
      remaining: exceeded ? 0 : Math.max(0, this.quota - counter.consumedPoints),
      resetSeconds: Math.max(1, Math.ceil(counter.msBeforeNext / 1000)),
      exceeded,
    };
  }
}
