import type { HttpStatus } from '@nestjs/common';
import { type NotReadyReason, REASON_CODES, ReasonCode } from './reason-codes';

export interface ApiErrorDetails {
  /** The query parameter at fault, when a single one applies. */
  field?: string;
  /** Only with `missing_scope`: the scopes the key lacks, sorted. */
  missingScopes?: readonly string[];
  /** Only with `rate_limited`: when the budget resets (`Retry-After`, in seconds). */
  retryAfterSeconds?: number;
  /** Only on the readiness probes: why this instance is not ready. */
  notReady?: NotReadyReason;
}

/**
 * The one exception every check throws. It carries a reason code; the status and the
 * public body are derived from it by `ErrorBodyFilter`, so no code path writes its own.
 */
export class ApiError extends Error {
  readonly status: HttpStatus;

  constructor(
    readonly reasonCode: ReasonCode,
    readonly details: ApiErrorDetails = {},
  ) {
    super(REASON_CODES[reasonCode].message);
    this.name = 'ApiError';
    this.status = REASON_CODES[reasonCode].status;
  }
}
