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
  // One implementation of every overload of node-postgres' `query`: `never` stands for each.
  override query(...args: unknown[]): never {
    const [text, values] = args;
    if (typeof text !== 'string' || args.length > 2 || typeof values === 'function') {
      return (super.query as (...forwarded: unknown[]) => never)(...args);
    }
    return new Promise<pg.QueryResult>((resolve, reject) => {
      const callback: QueryCallback = (error, result) => (error ? reject(error) : resolve(result));
      super.query(text, (values ?? []) as unknown[], callback);
    }) as never;
  }
}

/** A pool of `CallbackFormClient`s, whatever options TypeORM builds it with. */
class CallbackFormPool extends pg.Pool {
  constructor(options?: pg.PoolConfig) {
    super({ ...options, Client: CallbackFormClient });
  }
}

/**
 * node-postgres as TypeORM gets it (DataSourceOptions' `driver`): the module itself, but for
 * its pools, made of `CallbackFormClient`s.
 */
export const NODE_POSTGRES: typeof pg = Object.assign(Object.create(pg) as typeof pg, { Pool: CallbackFormPool });
