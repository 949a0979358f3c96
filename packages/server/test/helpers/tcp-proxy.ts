/**
 * A TCP proxy on loopback in front of a real service (PostgreSQL, Ceph RGW), so a test can make
 * that service unreachable (`stop`: connections refused and cut) or silent (`freeze`: connections
 * accepted, nothing forwarded) and then bring it back, without touching the shared service.
 */
import { connect, createServer } from 'node:net';
import type { AddressInfo, Server, Socket } from 'node:net';

export interface TcpProxy {
  /** `127.0.0.1:<port>` */
  readonly host: string;
  readonly port: number;
  /** Refuses new connections and cuts open ones. */
  stop(): Promise<void>;
  /** Accepts connections but forwards nothing (a hung service); cuts open ones. */
  freeze(): void;
  /** Listens and forwards again (after `stop`, on the same port). */
  resume(): Promise<void>;
  close(): Promise<void>;
}

export async function startTcpProxy(targetHost: string, targetPort: number): Promise<TcpProxy> {
  const sockets = new Set<Socket>();
  let frozen = false;
  let server: Server | undefined;
  let port = 0;
  const cutAll = (): void => {
    for (const s of sockets) s.destroy();
    sockets.clear();
  };
  const listen = async (): Promise<void> => {
    const s = createServer((client) => {
      sockets.add(client);
      client.on('close', () => sockets.delete(client));
      client.on('error', () => undefined);
      if (frozen) return; // hold it open, say nothing
      const upstream = connect(targetPort, targetHost);
      sockets.add(upstream);
      upstream.on('close', () => {
        sockets.delete(upstream);
        client.destroy();
      });
      upstream.on('error', () => client.destroy());
      client.on('close', () => upstream.destroy());
      client.pipe(upstream);
      upstream.pipe(client);
    });
    await new Promise<void>((resolve, reject) => {
      s.once('error', reject);
      s.listen(port, '127.0.0.1', () => resolve());
    });
    port = (s.address() as AddressInfo).port;
    server = s;
  };
  const stopListening = async (): Promise<void> => {
    const s = server;
    server = undefined;
    cutAll();
    if (s) await new Promise<void>((resolve) => s.close(() => resolve()));
  };
  await listen();
  return {
    host: '127.0.0.1',
    get port() {
      return port;
    },
    stop: stopListening,
    freeze() {
      frozen = true;
      cutAll();
    },
    async resume() {
      // Connections held while frozen never got their service: cut them, so clients reconnect.
      if (frozen) cutAll();
      frozen = false;
      if (!server) await listen();
    },
    close: stopListening,
  };
}
