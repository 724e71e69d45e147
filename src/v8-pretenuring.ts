import { setFlagsFromString } from 'node:v8';

/**
 * Turns V8's allocation-site pretenuring off for this process; for a server, before it serves.
 *
 * V8 allocates an allocation site's objects directly in the old generation once most of those
 * it sees in a young-generation collection are still alive. With 32 requests in flight, a
 * collection often lands while pages of rows are being mapped, and V8 pretenures node-postgres'
 * row objects: from then on every row of every page is allocated old, and keeps the strings
 * it points to alive until the next full collection. It happened in most server processes; a
 * list page then cost about 0.5 ms more CPU (docs/PERFORMANCE.md, issue 23). A request's
 * objects live for milliseconds; none is worth allocating old. The flag is read whenever V8
 * decides, so setting it at run time takes effect (test/unit/v8-pretenuring.spec.ts).
 */
export function disableAllocationSitePretenuring(): void {
  setFlagsFromString('--no-allocation-site-pretenuring');
}
