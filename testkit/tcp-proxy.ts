/**
 * A TCP relay for tests that need the RPC endpoint to disappear and come back: it listens on
 * 127.0.0.1 (a free port unless given) and pipes every connection to `target`. `down()` stops
 * listening and cuts every open connection (clients see ECONNRESET, then ECONNREFUSED), as when
 * a node or a load balancer goes away; `up()` listens on the same port again. It relays bytes,
 * so HTTP keep-alive and WebSocket connections go through it unchanged.
 */
import { createServer, connect, type Server, type Socket } from "node:net";

export type TcpProxy = {
  port: number;
  url: string;
  /** Connections accepted so far (to check that traffic really went through the proxy). */
  readonly connections: number;
  down(): Promise<void>;
  up(): Promise<void>;
  close(): Promise<void>;
};

export async function startTcpProxy(target: { host?: string; port: number }, port = 0): Promise<TcpProxy> {
  const open = new Set<Socket>();
  let server: Server | undefined;
  let boundPort = port;
  let connections = 0;

  function relay(client: Socket) {
    connections++;
    const upstream = connect({ host: target.host ?? "127.0.0.1", port: target.port });
    open.add(client);
    open.add(upstream);
    const cut = () => {
      client.destroy();
      upstream.destroy();
    };
    client.on("error", cut).on("close", () => {
      open.delete(client);
      cut();
    });
    upstream.on("error", cut).on("close", () => {
      open.delete(upstream);
      cut();
    });
    client.pipe(upstream);
    upstream.pipe(client);
  }

  async function up() {
    if (server) return;
    const s = createServer(relay);
    await new Promise<void>((resolve, reject) => {
      s.once("error", reject);
      s.listen(boundPort, "127.0.0.1", () => {
        s.off("error", reject);
        resolve();
      });
    });
    boundPort = (s.address() as { port: number }).port;
    server = s;
  }

  async function down() {
    const s = server;
    server = undefined;
    if (!s) return;
    const closed = new Promise<void>((resolve) => s.close(() => resolve()));
    for (const socket of open) socket.destroy();
    open.clear();
    await closed;
  }

  await up();
  return {
    get port() {
      return boundPort;
    },
    get url() {
      return `http://127.0.0.1:${boundPort}`;
    },
    get connections() {
      return connections;
    },
    down,
    up,
    close: down,
  };
}
