import { Injectable, Logger, OnApplicationShutdown } from '@nestjs/common';
import { Redis } from 'ioredis';
import { Counter } from 'prom-client';
import { RateLimiterMemory, RateLimiterRedis, type RateLimiterAbstract } from 'rate-limiter-flexible';
import { ApiError } from '../common/api-error';
import { RepeatedLogSampler, suppressedNote } from '../common/repeated-log-sampler';
import { AppConfig } from '../config/app-config';
import { MetricsRegistry } from '../metrics/metrics-registry';
import { Budget, type BudgetPolicy, type BudgetState } from './budget';

/**
 * How long a counter may take in Redis before the request goes on without it (fail open): a
 * Redis that hangs must not hold every request.
 */
const REDIS_COMMAND_TIMEOUT_MS = 250;

/**
 * The request budgets of docs/api.md "Rate limits": per key (`perKey`), and failed
 * authentications per client address (`failedAuth`). With `REDIS_URL` their counters are
 * shared by every instance, through rate-limiter-flexible's atomic Lua script; without it,
 * each process counts alone. If Redis cannot be reached, requests are served, and the failure
 * is logged (once per interval) and counted (`charthero_rate_limit_store_errors_total`).
 */
@Injectable()
export class RateLimits implements OnApplicationShutdown {
  readonly perKey: Budget;
  readonly failedAuth: Budget;
  private readonly logger = new Logger(RateLimits.name);
  private readonly sampler = new RepeatedLogSampler();
  private readonly redis: Redis | null;
  private readonly limited: Counter<'policy'>;
  private readonly storeErrors: Counter;

  constructor(config: AppConfig, registry: MetricsRegistry) {
    const { perKey, failedAuthPerAddress, windowSeconds, redisUrl, redisKeyPrefix } = config.rateLimits;
    const anyBudget = perKey > 0 || failedAuthPerAddress > 0;
    this.redis =
      redisUrl && anyBudget
        ? new Redis(redisUrl.reveal(), {
            // A command while disconnected fails at once instead of waiting in a queue: fail open, not slow.
            enableOfflineQueue: false,
            commandTimeout: REDIS_COMMAND_TIMEOUT_MS,
            connectTimeout: 2_000,
            maxRetriesPerRequest: 0,
          })
        : null;
    // ioredis reconnects by itself; meanwhile each operation fails fast and is counted.
    this.redis?.on('error', (error: Error) => this.logUnavailable(error));

    const limiterOf = (name: BudgetPolicy, quota: number): RateLimiterAbstract | null => {
      if (quota === 0) return null;
      const options = { points: quota, duration: windowSeconds, keyPrefix: `${redisKeyPrefix}rate-limit:${name}` };
      if (this.redis === null) return new RateLimiterMemory(options);
      // Once a counter is over, this process refuses it from memory until the window ends: a
      // flood past its budget costs Redis nothing.
      return new RateLimiterRedis({ ...options, storeClient: this.redis, rejectIfRedisNotReady: true, inMemoryBlockOnConsumed: quota + 1 });
    };
    const onStoreError = (error: unknown) => this.storeFailed(error);
    this.perKey = new Budget('per-key', perKey, windowSeconds, limiterOf('per-key', perKey), onStoreError);
    this.failedAuth = new Budget('failed-auth', failedAuthPerAddress, windowSeconds, limiterOf('failed-auth', failedAuthPerAddress), onStoreError);

    this.limited = new Counter({
      name: 'charthero_rate_limited_requests_total',
      help: 'Requests answered 429 rate_limited, by policy: per-key (a key over its budget) or failed-auth (an address past its failed authentications).',
      labelNames: ['policy'] as const,
      registers: [registry],
    });
    this.storeErrors = new Counter({
      name: 'charthero_rate_limit_store_errors_total',
      help: 'Rate-limit counter operations that failed in Redis; the request was served without a limit (fail open).',
      registers: [registry],
    });
  }

  /** The 429 of a budget past its quota, counted. */
  refusal(state: BudgetState): ApiError {
    this.limited.inc({ policy: state.policy });
    return new ApiError('rate_limited', { retryAfterSeconds: state.resetSeconds });
  }

  async onApplicationShutdown(): Promise<void> {
    // quit() waits for replies in flight; disconnect() when the connection is down anyway.
    if (this.redis?.status === 'ready') await this.redis.quit().catch(() => this.redis?.disconnect());
    else this.redis?.disconnect();
  }

  private storeFailed(error: unknown): void {
    this.storeErrors.inc();
    this.logUnavailable(error);
  }

  private logUnavailable(error: unknown): void {
    const summary = `${String((error as Error).name)}: ${String((error as Error).message)}`;
    const suppressed = this.sampler.admit(summary);
    if (suppressed !== null) this.logger.warn(`Rate limits unavailable (Redis), requests are served without them: ${summary}${suppressedNote(suppressed)}`);
  }
}
