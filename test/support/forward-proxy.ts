/**
 * A real HTTP proxy on 127.0.0.1 for the tests: it forwards absolute-URI requests (`GET
 * http://host/path`) and opens CONNECT tunnels, as squid or a corporate proxy does, and logs both.
 * With `credentials`, anything without the matching Proxy-Authorization gets 407.
 */
import { createServer, request as httpRequest, type IncomingMessage } from 'node:http';
import { connect, type AddressInfo, type Socket } from 'node:net';

export interface ProxyLogEntry {
  /** `forward` for an absolute-URI request, `connect` for a tunnel. */
  readonly kind: 'forward' | 'connect';
  /** The URL forwarded, or the `host:port` tunnelled to. */
  readonly target: string;
  readonly status: number;
}

export interface ForwardProxy {
  /** `http://127.0.0.1:port`, without credentials. */
  readonly origin: string;
  /** `http://user:password@127.0.0.1:port` with the credentials, else the origin. */
  readonly url: string;
  readonly log: ProxyLogEntry[];
  close(): Promise<void>;
}

export async function startForwardProxy(options: { credentials?: { user: string; password: string } } = {}): Promise<ForwardProxy> {
  const log: ProxyLogEntry[] = [];
  const expected =
    options.credentials !== undefined
      ? `Basic ${Buffer.from(`${options.credentials.user}:${options.credentials.password}`).toString('base64')}`
      : undefined;
  const allowed = (req: IncomingMessage): boolean => expected === undefined || req.headers['proxy-authorization'] === expected;
  const sockets = new Set<Socket>();

  const server = createServer((req, res) => {
    const target = req.url ?? '';
    if (!allowed(req)) {
      log.push({ kind: 'forward', target, status: 407 });
      res.writeHead(407, { 'proxy-authenticate': 'Basic realm="test"', 'content-type': 'text/plain' }).end('proxy authentication required');
      return;
    }
    let url: URL;
    try {
      url = new URL(target);
    } catch {
      log.push({ kind: 'forward', target, status: 400 });
      res.writeHead(400).end('not an absolute URI');
      return;
    }
    const headers = { ...req.headers };
    delete headers['proxy-authorization'];
    delete headers['proxy-connection'];
    const upstream = httpRequest(
      { host: url.hostname, port: url.port, path: `${url.pathname}${url.search}`, method: req.method, headers },
      (answer) => {
        log.push({ kind: 'forward', target, status: answer.statusCode ?? 0 });
        res.writeHead(answer.statusCode ?? 502, answer.headers);
        answer.pipe(res);
      },
    );
    upstream.on('error', () => {
      log.push({ kind: 'forward', target, status: 502 });
      if (!res.headersSent) res.writeHead(502).end('bad gateway');
      else res.destroy();
    });
    req.pipe(upstream);
  });

  server.on('connect', (req: IncomingMessage, client: Socket, head: Buffer) => {
    const target = req.url ?? '';
    sockets.add(client);
    client.on('close', () => sockets.delete(client));
    client.on('error', () => client.destroy());
    if (!allowed(req)) {
      log.push({ kind: 'connect', target, status: 407 });
      client.end('HTTP/1.1 407 Proxy Authentication Required\r\nProxy-Authenticate: Basic realm="test"\r\nContent-Length: 0\r\n\r\n');
      return;
    }
    const [host, port] = splitHostPort(target);
    const upstream = connect(port, host, () => {
      log.push({ kind: 'connect', target, status: 200 });
      client.write('HTTP/1.1 200 Connection Established\r\n\r\n');
      if (head.length > 0) upstream.write(head);
      upstream.pipe(client);
      client.pipe(upstream);
    });
    sockets.add(upstream);
    upstream.on('close', () => sockets.delete(upstream));
    upstream.on('error', () => {
      if (!client.writableEnded) client.end('HTTP/1.1 502 Bad Gateway\r\nContent-Length: 0\r\n\r\n');
    });
  });

  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as AddressInfo;
  const origin = `http://127.0.0.1:${port}`;
  const c = options.credentials;
  return {
    origin,
    url: c !== undefined ? `http://${encodeURIComponent(c.user)}:${encodeURIComponent(c.password)}@127.0.0.1:${port}` : origin,
    log,
    close: () =>
      new Promise<void>((resolve) => {
        for (const s of sockets) s.destroy();
        server.closeAllConnections();
        server.close(() => resolve());
      }),
  };
}

function splitHostPort(target: string): [string, number] {
  const at = target.lastIndexOf(':');
  return [target.slice(0, at).replace(/^\[|\]$/g, ''), Number(target.slice(at + 1))];
}
