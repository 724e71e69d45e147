import { createConnection, createServer, Server, Socket } from 'node:net';

export interface TcpProxy {
  port: number;
  /** Cuts every connection and stops listening: connecting is refused, as when the database is down. */
  refuse(): Promise<void>;
  /**
   * Keeps every connection open but carries nothing more, either way, and accepts new ones that
   * never answer: a failover, a dropped NAT entry, a host that vanished without a reset.
   */
  blackHole(): void;
  /** Listens again on the same port and forwards new connections (those cut or silenced stay so). */
  restore(): Promise<void>;
}

/**
 * A loopback TCP proxy to `target`, so that a test can make a database refuse, fall silent and
 * come back mid-run without touching the real server.
 */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let silent = false;
  const track = (socket: Socket) => {
    sockets.add(socket);
    socket.on('close', () => sockets.delete(socket));
    socket.on('error', () => socket.destroy());
  };
  const server: Server = createServer((client) => {
    track(client);
    if (silent) {
      client.resume(); // read and drop: the peer sees an open connection that never answers
      return;
    }
    const upstream = createConnection(target);
    track(upstream);
    client.pipe(upstream).pipe(client);
  });
  const listen = (port: number) => new Promise<void>((resolve, reject) => server.once('error', reject).listen(port, '127.0.0.1', () => resolve()));
  await listen(0);
  const port = (server.address() as { port: number }).port;

  const refuse = async () => {
    const closed = server.listening ? new Promise<void>((resolve) => server.close(() => resolve())) : Promise.resolve();
    sockets.forEach((socket) => socket.destroy());
    await closed;
  };
  return {
    port,
    refuse,
    blackHole: () => {
      silent = true;
      // Both ends of every connection stop forwarding what they read, and drop it.
      for (const socket of sockets) socket.unpipe().resume();
    },
    restore: async () => {
      silent = false;
      if (!server.listening) await listen(port);
    },
  };
}
