/**
 * Syncs every encounter of a time window, and each of their documents, the way a partner's
 * sync job would: oldest first, page by page, fetching the documents of each page before
 * asking for the next one.
 */
import { type Encounter, type EncounterDocument, MAX_LIMIT, MAX_OFFSET, PartnerApiError, type PartnerClient, type ReasonCode } from './partner-client';

/** The document types the document route serves; any other is `400 unsupported_document_type`. */
export const FETCHABLE_DOCUMENT_TYPES: ReadonlySet<string> = new Set(['document', 'ambient_transcript']);

export interface SyncOptions {
  /** Inclusive lower bound on `created_at` (RFC 3339 with an offset, or a Date). Default: none. */
  startAt?: string | Date;
  /**
   * Exclusive upper bound on `created_at`. Default: the moment the sync starts, so encounters
   * created while it runs do not shift the pages (they belong to the next sync's window).
   */
  endAt?: string | Date;
  /** Encounters per list request, 1-100 (default 100). */
  pageSize?: number;
  /** The deepest offset the list route accepts (default 10000, the contract's). Lower it only to exercise the window split. */
  maxOffset?: number;
  /** Document requests in flight at once (default 4). */
  documentConcurrency?: number;
}

export interface SkippedDocument {
  encounter_id: string;
  document_id: string;
  schema_type: string;
  /** `unsupported_document_type` for a type the document route does not serve (not requested), else the API's reason. */
  reason: ReasonCode;
}

export interface SyncResult {
  /** The window that was synced, `[start_at, end_at)`. */
  window: { start_at: string | null; end_at: string };
  /** Every encounter of the window, once each, oldest first. */
  encounters: Encounter[];
  /** Every fetched document, once each, in encounter order then the encounter's document order. */
  documents: EncounterDocument[];
  /** Documents listed on an encounter but not fetched, and why. */
  skippedDocuments: SkippedDocument[];
  /** List requests made (pages). */
  pages: number;
  /** How often the window was narrowed because the offset cap was reached. */
  windowSplits: number;
}

/**
 * Paging strategy.
 *
 * The list route pages by `limit`/`offset` and refuses an offset above 10000, and it is not
 * snapshot-consistent. So:
 *
 * 1. The window is fixed before the first request: `end_at` defaults to "now", so encounters
 *    created during the sync fall outside it instead of shifting the pages.
 * 2. Pages are read with `sort_order=asc` (by `created_at`, then `encounter_id`), `offset`
 *    advancing by `limit`, until a page is short or `offset` reaches `total`.
 * 3. When the next offset would pass the cap (the window holds more than ~10000 encounters),
 *    the window is split by time: everything before the `created_at` of the last encounter
 *    read is done, so the rest of the sync is the narrower window `[that created_at, end_at)`,
 *    read again from offset 0. The new window starts AT that instant (inclusive), so
 *    encounters sharing it are not lost; the ones already read are dropped by id. Each split
 *    moves the lower bound forward, so the sync ends; only more than `maxOffset + pageSize`
 *    encounters created in one and the same millisecond could not be split, and that is
 *    reported as an error rather than looped on.
 *
 * Every encounter is kept by id, so a repeat (from a split, or from an encounter inserted into
 * the window mid-sync) is never returned twice.
 */
export async function syncEncounters(client: PartnerClient, options: SyncOptions = {}): Promise<SyncResult> {
  const pageSize = options.pageSize ?? MAX_LIMIT;
  const maxOffset = options.maxOffset ?? MAX_OFFSET;
  const concurrency = options.documentConcurrency ?? 4;
  if (!Number.isInteger(pageSize) || pageSize < 1 || pageSize > MAX_LIMIT) throw new RangeError(`pageSize must be an integer from 1 to ${MAX_LIMIT}, got ${pageSize}`);
  if (!Number.isInteger(maxOffset) || maxOffset < 0 || maxOffset > MAX_OFFSET) throw new RangeError(`maxOffset must be an integer from 0 to ${MAX_OFFSET}, got ${maxOffset}`);
  if (!Number.isInteger(concurrency) || concurrency < 1) throw new RangeError(`documentConcurrency must be a positive integer, got ${concurrency}`);

  const startAt = options.startAt === undefined ? null : toTimestamp(options.startAt, 'startAt');
  const endAt = toTimestamp(options.endAt ?? new Date(), 'endAt');
  if (startAt !== null && Date.parse(startAt) >= Date.parse(endAt)) throw new RangeError(`startAt (${startAt}) must be before endAt (${endAt})`);

  const encounters = new Map<string, Encounter>();
  const fetched = new Map<string, EncounterDocument>();
  const skipped = new Map<string, SkippedDocument>();
  let pages = 0;
  let windowSplits = 0;

  let lowerBound = startAt;
  let offset = 0;
  for (;;) {
    const page = await client.listEncounters({
      sort_order: 'asc',
      limit: pageSize,
      offset,
      ...(lowerBound !== null && { start_at: lowerBound }),
      end_at: endAt,
    });
    pages++;

    const fresh = page.items.filter((item) => !encounters.has(item.encounter_id));
    for (const item of fresh) encounters.set(item.encounter_id, item);
    await fetchDocuments(client, fresh, concurrency, fetched, skipped);

    if (page.items.length < pageSize || offset + page.items.length >= page.total) break;

    if (offset + pageSize <= maxOffset) {
      offset += pageSize;
      continue;
    }
    // The offset cap: narrow the window to start at the last encounter read (see above).
    const last = page.items[page.items.length - 1].created_at;
    if (lowerBound !== null && Date.parse(last) <= Date.parse(lowerBound)) {
      throw new Error(`More than ${maxOffset + pageSize} encounters were created at ${last}; the window cannot be split any further`);
    }
    lowerBound = last;
    offset = 0;
    windowSplits++;
  }

  const ordered = [...encounters.values()];
  return {
    window: { start_at: startAt, end_at: endAt },
    encounters: ordered,
    documents: ordered.flatMap((e) => e.documents.flatMap((d) => fetched.get(documentKey(e.encounter_id, d.document_id)) ?? [])),
    skippedDocuments: ordered.flatMap((e) => e.documents.flatMap((d) => skipped.get(documentKey(e.encounter_id, d.document_id)) ?? [])),
    pages,
    windowSplits,
  };
}

/** Reasons a listed document can be gone by the time it is fetched (the list is not a snapshot). */
const VANISHED: ReadonlySet<ReasonCode> = new Set<ReasonCode>(['encounter_not_found', 'document_not_found', 'demo_training_denied', 'cross_organization_denied']);

async function fetchDocuments(
  client: PartnerClient,
  encounters: Encounter[],
  concurrency: number,
  fetched: Map<string, EncounterDocument>,
  skipped: Map<string, SkippedDocument>,
): Promise<void> {
  const jobs = encounters.flatMap((encounter) => encounter.documents.map((document) => ({ encounter, document })));
  let next = 0;
  let failed = false;
  const worker = async (): Promise<void> => {
    while (!failed && next < jobs.length) {
      const { encounter, document } = jobs[next++];
      const key = documentKey(encounter.encounter_id, document.document_id);
      const summary = { encounter_id: encounter.encounter_id, document_id: document.document_id, schema_type: document.schema_type };
      if (!FETCHABLE_DOCUMENT_TYPES.has(document.schema_type)) {
        skipped.set(key, { ...summary, reason: 'unsupported_document_type' });
        continue;
      }
      try {
        fetched.set(key, await client.getDocument(encounter.encounter_id, document.document_id));
      } catch (error) {
        if (error instanceof PartnerApiError && error.reason_code !== null && VANISHED.has(error.reason_code)) {
          skipped.set(key, { ...summary, reason: error.reason_code });
          continue;
        }
        failed = true; // the other workers stop taking jobs
        throw error;
      }
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, jobs.length) }, worker));
}

function documentKey(encounterId: string, documentId: string): string {
  return `${encounterId}\u0000${documentId}`;
}

/** An RFC 3339 timestamp in UTC with milliseconds, which the list route accepts. */
function toTimestamp(value: string | Date, name: string): string {
  const date = value instanceof Date ? value : new Date(value);
  if (Number.isNaN(date.getTime())) throw new RangeError(`${name} is not a valid date-time: ${String(value)}`);
  if (typeof value === 'string' && !/(Z|[+-]\d{2}:\d{2})$/i.test(value)) throw new RangeError(`${name} needs an explicit offset (Z or ±hh:mm): ${value}`);
  return date.toISOString();
}
