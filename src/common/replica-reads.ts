/**
 * Reads that a streaming replica may answer (`DATABASE_REPLICA_URLS`): the encounter routes'
 * lists, details, documents and transcripts, which partners may see up to
 * `DATABASE_REPLICA_MAX_LAG_MS` behind the primary (docs/api.md "Consistency"). Everything an
 * answer must have exact (keys, the allowlist, the audit, webhooks, the CLI) goes through the
 * `DataSource`, which is the primary. Defined here, implemented by the database module, so that
 * a feature asks for replica reads without knowing where they run.
 */
export abstract class ReplicaReads {
  /** Runs a statement that only reads, with its parameters, and returns its rows. */
  abstract query<Row>(text: string, values: readonly unknown[]): Promise<Row[]>;
}
