import type { Server } from 'node:http';
import { connect } from 'node:net';
import type { AddressInfo } from 'node:net';

export interface RawResponse {
  status: number;
  /** Lowercased names. */
  headers: Record<string, string>;
  /** Every byte after the header block, exactly as sent. */
  body: Buffer;
}

/**
 * Sends `head` (a request line and headers, without the final blank line), then `body`, over a
 * plain socket and reads the answer until the server closes it. No HTTP client in between:
 * nothing normalizes the request target, and a body sent where none belongs is seen.
 */
export async function rawRequest(server: Server, head: string, body = ''): Promise<RawResponse> {
  // Written, not ended: a half-closed socket may be closed by the server before it answers.
  // `Connection: close` makes the server end it once the response is sent.
  return parsed(await exchange(server, `${head}\r\nConnection: close\r\n\r\n${body}`));
}

/**
 * Sends `partialHead` and then nothing, as a slow or stalled client would (slowloris), and reads
 * what the server answers before it closes the connection.
 */
export async function stalledRequest(server: Server, partialHead: string): Promise<RawResponse> {
  return parsed(await exchange(server, partialHead));
}

async function exchange(server: Server, bytes: string): Promise<Buffer> {
  if (!server.listening) await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  return new Promise<Buffer>((resolve, reject) => {
    const chunks: Buffer[] = [];
    const socket = connect(port, '127.0.0.1', () => socket.write(bytes));
    socket.on('data', (chunk: Buffer) => chunks.push(chunk));
    socket.on('end', () => resolve(Buffer.concat(chunks)));
    socket.on('error', reject);
  });
}

function parsed(bytes: Buffer): RawResponse {
  const headerEnd = bytes.indexOf('\r\n\r\n');
  const [statusLine, ...headerLines] = bytes.subarray(0, headerEnd).toString('latin1').split('\r\n');
  const headers = Object.fromEntries(headerLines.map((line) => [line.slice(0, line.indexOf(':')).toLowerCase(), line.slice(line.indexOf(':') + 1).trim()]));
  return { status: Number(statusLine.split(' ')[1]), headers, body: bytes.subarray(headerEnd + 4) };
}
