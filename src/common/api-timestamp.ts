/**
 * RFC 3339 in UTC with `Z`, as the guide prints them: `2026-05-25T14:00:00Z`. Milliseconds
 * appear only when a timestamp has them (`2026-05-25T14:00:00.250Z`).
 */
export function toApiTimestamp(date: Date): string {
  return date.toISOString().replace('.000Z', 'Z');
}

/**
 * `toApiTimestamp` in SQL: PostgreSQL writes the timestamptz `expression` as the same text, so
 * that the reads that return many timestamps (a list page has 150) hand over strings, neither
 * parsed into a `Date` nor formatted again (docs/PERFORMANCE.md, issue 23). `MS` truncates
 * microseconds as a JS Date does; NULL stays NULL. test/e2e/api-timestamp-sql.e2e-spec.ts holds
 * the two to the same text for any instant of years 0001-9999, all that RFC 3339 can write.
 */
export function apiTimestampSql(expression: string): string {
  return `replace(to_char((${expression}) AT TIME ZONE 'UTC', 'YYYY-MM-DD"T"HH24:MI:SS.MS"Z"'), '.000Z', 'Z')`;
}
