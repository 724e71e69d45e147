import pg from 'pg';

/**
 * A connection of its own for a periodic question to a PostgreSQL server (is it ready, how far
 * has it replayed), never one of the request pool: a pool that slow queries hold must not make
 * a healthy server look down. Opened at the first question; a failed question drops it, and the
 * next one connects again.
 */
export class ProbeConnection {
  private client: pg.Client | null = null;

  /**
   * @param timeoutMs the longest a question waits, connecting included: a server that
   *   does not answer within it fails the question
   */
  constructor(
    private readonly connectionString: string,
    private readonly applicationName: string,
    private readonly timeoutMs: number,
  ) {}

  async query<Row>(text: string): Promise<Row[]> {
    try {
      this.client ??= await this.connect();
      return (await this.client.query(text)).rows as Row[];
    } catch (error) {
      await this.close();
      throw error;
    }
  }

  async close(): Promise<void> {
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => undefined);
  }

  private async connect(): Promise<pg.Client> {
    const client = new pg.Client({
      connectionString: this.connectionString,
      connectionTimeoutMillis: this.timeoutMs,
      statement_timeout: this.timeoutMs,
      query_timeout: this.timeoutMs,
      keepAlive: true,
      application_name: this.applicationName,
    });
    // An error on an idle connection (the server restarted) must not crash the process.
    client.on('error', () => undefined);
    await client.connect();
    return client;
  }
}
