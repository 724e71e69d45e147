import pg from 'pg';

type QueryCallback = (error: Error | null, result: pg.QueryResult) => void;

/**
 * A client whose promise-returning `query(text, values)`, the only form TypeORM calls, runs
 * node-postgres' callback form. Both send the same statement and resolve with the same result;
 * but with the promise form, whose callback is attached after the query object is built, V8
 * promotes most of every in-flight result to the old generation (measured with
 * `--trace-gc-nvp`: 62 KB per list request against 12 KB, and 4× the GC time; docs/PERFORMANCE.md).
 */
class CallbackFormClient extends pg.Client {
  constructor(config?: string | pg.ClientConfig) {
    super(config);
    // node-postgres emits an error that comes with no query (the server ended the session) on
    // the client, and an `error` event no one listens for ends the process. There is a moment
    // when no one does: the pool has handed a new connection out, and TypeORM attaches its
    // listener a microtask later, while the rest of the packet that made the connection ready
    // (a FATAL from pg_terminate_backend, say) is still being read. The client is marked
    // unusable either way, and the pool drops it when it is released.
    this.on('error', () => undefined);
  }

  // One implementation of every overload of node-postgres' `query`: `never` stands for each.
  override query(...args: unknown[]): never {
    const [text, values] = args;
    if (typeof text !== 'string' || args.length > 2 || typeof values === 'function') {
      return (super.query as (...forwarded: unknown[]) => never)(...args);
    }
    return new Promise<pg.QueryResult>((resolve, reject) => {
      const callback: QueryCallback = (error, result) => {
        if (error?.message === QUERY_READ_TIMEOUT) this.discard();
        return error ? reject(error) : resolve(result);
      };
      super.query(text, (values ?? []) as unknown[], callback);
    }) as never;
  }

  /**
   * After `query_timeout` the statement is still on the wire, and the connection is either
   * silent (a failover, a dropped NAT entry) or answering late: either way it can serve no one.
   * Ending it makes the pool drop it when it is released, instead of handing it out again.
   */
  private discard(): void {
    this.end().catch(() => undefined);
  }
}

/** node-postgres' error when `query_timeout` passes without an answer. */
const QUERY_READ_TIMEOUT = 'Query read timeout';

/** A pool of `CallbackFormClient`s, whatever options TypeORM builds it with. */
class CallbackFormPool extends pg.Pool {
  constructor(options?: pg.PoolConfig) {
    super({ ...options, Client: CallbackFormClient });
  }
}

/**
 * node-postgres as TypeORM gets it (DataSourceOptions' `driver`): the module itself, but for
 * its pools, made of `CallbackFormClient`s. `onPool` is handed each pool TypeORM creates (the
 * pool metrics read its counts).
 */
export function nodePostgres(onPool?: (pool: pg.Pool) => void): typeof pg {
  if (onPool === undefined) return Object.assign(Object.create(pg) as typeof pg, { Pool: CallbackFormPool });
  const observe = onPool;
  class ObservedPool extends CallbackFormPool {
    constructor(options?: pg.PoolConfig) {
      super(options);
      observe(this);
    }
  }
  return Object.assign(Object.create(pg) as typeof pg, { Pool: ObservedPool });
}

export const NODE_POSTGRES: typeof pg = nodePostgres();
