/**
 * Runs a sync and prints a summary:
 *
 *   CHARTHERO_API_URL=http://localhost:3000 CHARTHERO_API_KEY=ch_sk_… npx ts-node examples/partner-sync/main.ts
 *
 * Optional: CHARTHERO_START_AT, CHARTHERO_END_AT (RFC 3339 with an offset; the window is
 * [start, end), end defaulting to now) and CHARTHERO_PAGE_SIZE (1-100, default 100).
 */
import { PartnerApiError, PartnerClient, PartnerNetworkError } from './partner-client';
import { syncEncounters } from './sync-encounters';

async function main(): Promise<number> {
  const baseUrl = process.env.CHARTHERO_API_URL ?? 'http://localhost:3000';
  const apiKey = process.env.CHARTHERO_API_KEY;
  if (!apiKey) {
    console.error('Set CHARTHERO_API_KEY to an organization-scoped API key (ch_sk_…).');
    return 2;
  }
  const pageSize = process.env.CHARTHERO_PAGE_SIZE ? Number(process.env.CHARTHERO_PAGE_SIZE) : undefined;

  const client = new PartnerClient({ baseUrl, apiKey });
  const result = await syncEncounters(client, {
    startAt: process.env.CHARTHERO_START_AT || undefined,
    endAt: process.env.CHARTHERO_END_AT || undefined,
    pageSize,
  });

  const byType = new Map<string, number>();
  for (const document of result.documents) byType.set(document.schema_type, (byType.get(document.schema_type) ?? 0) + 1);
  const types = [...byType].map(([type, count]) => `${count} ${type}`).join(', ') || 'none';

  console.log(`Synced ${baseUrl}, window [${result.window.start_at ?? 'beginning'}, ${result.window.end_at})`);
  console.log(`  encounters: ${result.encounters.length} (${result.pages} page(s)${result.windowSplits ? `, window split ${result.windowSplits} time(s)` : ''})`);
  console.log(`  documents:  ${result.documents.length} fetched (${types})`);
  if (result.skippedDocuments.length > 0) {
    console.log(`  skipped:    ${result.skippedDocuments.length}`);
    for (const skipped of result.skippedDocuments) {
      console.log(`    ${skipped.encounter_id}/${skipped.document_id} (${skipped.schema_type}): ${skipped.reason}`);
    }
  }
  return 0;
}

main().then(
  (code) => {
    process.exitCode = code;
  },
  (error: unknown) => {
    // PartnerApiError's message names the reason_code and the request_id to quote to support.
    console.error(error instanceof PartnerApiError || error instanceof PartnerNetworkError || error instanceof RangeError ? error.message : error);
    process.exitCode = 1;
  },
);
