/**
 * RFC 3339 in UTC with `Z`, as the guide prints them: `2026-05-25T14:00:00Z`. Milliseconds
 * appear only when a timestamp has them (`2026-05-25T14:00:00.250Z`).
 */
export function toApiTimestamp(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}
