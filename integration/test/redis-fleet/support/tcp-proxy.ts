import { createServer, type Server, Socket } from 'node:net';

/** A TCP proxy in front of one server: a network partition a test can switch on and off. */
export interface TcpProxy {
  /** The proxy's own port on 127.0.0.1. */
  readonly port: number;
  /**
   * Cuts the link without closing it, as a partition does: nothing the client sends reaches the server
   * and nothing comes back; connections stay open and bytes wait in the buffers.
   */
  pause(): void;
  /** Heals the link: what waited is delivered, late, in order. */
  resume(): void;
  close(): Promise<void>;
}

/** Starts a proxy on a free port of 127.0.0.1 that forwards every connection to `target`. */
export async function startTcpProxy(target: { host: string; port: number }): Promise<TcpProxy> {
  const links = new Set<Link>();
  let paused = false;
  const server: Server = createServer((client) => {
    const upstream = new Socket();
    const link: Link = { client, upstream, held: [] };
    links.add(link);
    const drop = (): void => {
      links.delete(link);
      client.destroy();
      upstream.destroy();
    };
    client.on('error', drop).on('close', drop);
    upstream.on('error', drop).on('close', drop);
    // While paused, bytes in either direction are held (in order) instead of forwarded.
    client.on('data', (chunk: Buffer) =>
      paused ? link.held.push([upstream, chunk]) : upstream.write(chunk),
    );
    upstream.on('data', (chunk: Buffer) => (paused ? link.held.push([client, chunk]) : client.write(chunk)));
    upstream.connect(target.port, target.host);
  });
  await new Promise<void>((resolve, reject) => {
    server.once('error', reject);
    server.listen(0, '127.0.0.1', () => resolve());
  });
  const address = server.address();
  if (address === null || typeof address === 'string') throw new Error('the proxy has no TCP port');

  return {
    port: address.port,
    pause() {
      paused = true;
    },
    resume() {
      paused = false;
      for (const link of links) {
        for (const [socket, chunk] of link.held.splice(0)) socket.write(chunk);
      }
    },
    async close() {
      for (const { client, upstream } of links) {
        client.destroy();
        upstream.destroy();
      }
      links.clear();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

/** One proxied connection and the bytes held back while paused. */
interface Link {
  client: Socket;
  upstream: Socket;
  held: Array<[Socket, Buffer]>;
}
