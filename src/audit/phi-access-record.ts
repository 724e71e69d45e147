import type { DisclosedItem } from './disclosure';

/** The route id of a media URL fetch: not a partner route, but a disclosure audited like one. */
export const MEDIA_FETCH_ROUTE = 'media.fetch';

/** The longest user agent kept: enough to tell clients apart, not a place to store anything. */
const MAX_USER_AGENT_LENGTH = 256;

/** One audit record (docs/api.md "PHI access audit"), as written to `phi_access_records`. */
export interface PhiAccessRecord {
  readonly occurredAt: Date;
  readonly requestId: string;
  readonly organizationId: string;
  readonly keyId: string;
  /** A partner route id, or MEDIA_FETCH_ROUTE. */
  readonly routeId: string;
  readonly status: number;
  readonly reasonCode: string | null;
  readonly clientAddress: string | null;
  readonly userAgent: string | null;
  /** Empty unless the response was a 2xx. */
  readonly disclosed: readonly DisclosedItem[];
}

/** The user agent as kept: at most MAX_USER_AGENT_LENGTH characters, null when absent or empty. */
export function userAgentOf(header: string | undefined): string | null {
  return header ? header.slice(0, MAX_USER_AGENT_LENGTH) : null;
}
