/**
 * A real S3-compatible server for the tests: s3rver on 127.0.0.1, port 0, in a temp folder of
 * its own, with the `exports` bucket, in a child process (`s3rver-process.mjs` says why); objects
 * are put with the SDK as a warehouse unload would.
 * s3rver knows one access key id, `S3RVER` (it does not check SigV4 signatures, only the key id).
 * `DropProxy` sits in front of it and can cut one response mid-body, as a network blip does.
 */
import { PutObjectCommand, S3Client } from '@aws-sdk/client-s3';
import { spawn, type ChildProcess } from 'node:child_process';
import { once } from 'node:events';
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net';
import { createInterface } from 'node:readline';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll } from 'vitest';
import { tmpDir, type TmpDir } from './files.js';

export const BUCKET = 'exports';
export const ACCESS_KEY_ID = 'S3RVER';
export const SECRET_ACCESS_KEY = 'S3RVER';

export interface S3Server {
  readonly endpoint: string;
  readonly port: number;
  put(key: string, body: string | Buffer): Promise<void>;
  /** The environment a child process needs to read from it (and nothing from this machine's AWS setup). */
  env(overrides?: NodeJS.ProcessEnv): NodeJS.ProcessEnv;
}

/** Environment that keeps the SDK to the given settings: no profile files, no instance metadata. */
export function isolatedAwsEnv(endpoint: string, overrides: NodeJS.ProcessEnv = {}): NodeJS.ProcessEnv {
  return {
    AWS_ACCESS_KEY_ID: ACCESS_KEY_ID,
    AWS_SECRET_ACCESS_KEY: SECRET_ACCESS_KEY,
    AWS_REGION: 'us-east-1',
    AWS_ENDPOINT_URL_S3: endpoint,
    AWS_EC2_METADATA_DISABLED: 'true',
    AWS_CONFIG_FILE: '/nonexistent/aws-config',
    AWS_SHARED_CREDENTIALS_FILE: '/nonexistent/aws-credentials',
    ...overrides,
  };
}

const SERVER_SCRIPT = fileURLToPath(new URL('./s3rver-process.mjs', import.meta.url));

async function startServer(directory: string): Promise<{ child: ChildProcess; port: number }> {
  const child = spawn(process.execPath, ['--openssl-legacy-provider', SERVER_SCRIPT, directory, BUCKET], {
    stdio: ['ignore', 'pipe', 'inherit'],
  });
  const lines = createInterface({ input: child.stdout });
  const exited = once(child, 'exit').then(([code]) => Promise.reject(new Error(`s3rver exited with ${String(code)} before listening`)));
  const first = once(lines, 'line').then(([line]) => JSON.parse(String(line)) as { port: number });
  const { port } = await Promise.race([first, exited]);
  lines.close();
  return { child, port };
}

/** One s3rver for the test file, started before its first test and removed after its last. */
export function s3ServerPerFile(): { readonly s3: S3Server } {
  const fixture = {} as { s3: S3Server };
  let child: ChildProcess | undefined;
  let dir: TmpDir | undefined;
  let client: S3Client | undefined;
  beforeAll(async () => {
    dir = tmpDir('propel-s3rver-');
    const started = await startServer(dir.path);
    child = started.child;
    const { port } = started;
    const endpoint = `http://127.0.0.1:${port}`;
    const c = new S3Client({
      endpoint,
      region: 'us-east-1',
      forcePathStyle: true,
      credentials: { accessKeyId: ACCESS_KEY_ID, secretAccessKey: SECRET_ACCESS_KEY },
    });
    client = c;
    fixture.s3 = {
      endpoint,
      port,
      put: async (key, body) => {
        await c.send(new PutObjectCommand({ Bucket: BUCKET, Key: key, Body: body }));
      },
      env: (overrides) => isolatedAwsEnv(endpoint, overrides),
    };
  });
  afterAll(async () => {
    client?.destroy();
    if (child !== undefined && child.exitCode === null) {
      child.kill('SIGTERM');
      await once(child, 'exit');
    }
    dir?.remove();
  });
  return fixture;
}

/** One DropProxy in front of the file's s3rver, for the tests of a describe block (or file). */
export function dropProxyPerBlock(server: { readonly s3: S3Server }): { readonly proxy: DropProxy } {
  const fixture = {} as { proxy: DropProxy };
  beforeAll(async () => {
    fixture.proxy = await DropProxy.start(server.s3.port);
  });
  afterAll(() => fixture.proxy.close());
  return fixture;
}

/**
 * A TCP proxy on loopback in front of `upstream` that, once armed, cuts the connection carrying
 * the next GET of all of `path` (no Range) after `afterBytes` bytes of its response's body: the response head and
 * that much of the body reach the client, then the socket closes.
 */
export class DropProxy {
  /** Responses cut so far. */
  cuts = 0;
  /** Request heads seen after the cut (to check the read went on with a Range). */
  readonly headsAfterCut: string[] = [];
  /** Every request's first line, with ` (range)` when it asked for part of the object. */
  readonly requests: string[] = [];
  private armed: { path: string; afterBytes: number; ranged: boolean } | undefined;
  private readonly sockets = new Set<Socket>();

  private constructor(private readonly server: Server) {}

  static async start(upstreamPort: number): Promise<DropProxy> {
    const server = createServer();
    const proxy = new DropProxy(server);
    server.on('connection', (client) => proxy.handle(client, upstreamPort));
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    return proxy;
  }

  get endpoint(): string {
    return `http://127.0.0.1:${(this.server.address() as AddressInfo).port}`;
  }

  /** `ranged`: cut a GET of part of the object too (a resumed read). */
  cutNextGet(path: string, afterBytes: number, ranged = false): void {
    this.armed = { path, afterBytes, ranged };
  }

  private handle(client: Socket, upstreamPort: number): void {
    const upstream = connect(upstreamPort, '127.0.0.1');
    this.sockets.add(client).add(upstream);
    /** Body bytes still to pass before the cut; `head` is the response head seen so far. */
    let counting: { left: number; head: string; armed: { path: string; afterBytes: number; ranged: boolean } } | undefined;
    let cut = false;
    client.on('data', (data: Buffer) => {
      const head = data.toString('latin1');
      if (/^[A-Z]+ \S+ HTTP\/1\.1\r\n/.test(head))
        this.requests.push(head.slice(0, head.indexOf(' HTTP/1.1')) + (/\r\nrange:/i.test(head) ? ' (range)' : ''));
      if (this.cuts > 0) this.headsAfterCut.push(head.slice(0, head.indexOf('\r\n\r\n') + 1 || 2000));
      // Only a whole-object read is cut: the 4-byte ranged GET that tells compression apart is let through.
      if (
        this.armed !== undefined &&
        /^[ ?]$/.test(head.charAt(`GET ${this.armed.path}`.length)) &&
        head.startsWith(`GET ${this.armed.path}`) &&
        (this.armed.ranged || !/\r\nrange:/i.test(head))
      ) {
        counting = { left: this.armed.afterBytes, head: '', armed: this.armed };
        this.armed = undefined;
      }
      upstream.write(data);
    });
    upstream.on('data', (data: Buffer) => {
      if (counting === undefined) {
        client.write(data);
        return;
      }
      let body = data;
      if (counting.head !== undefined && !counting.head.endsWith('\r\n\r\n')) {
        const before = counting.head.length;
        counting.head += data.toString('latin1');
        const end = counting.head.indexOf('\r\n\r\n');
        if (end === -1) {
          client.write(data);
          return;
        }
        counting.head = counting.head.slice(0, end + 4);
        body = data.subarray(end + 4 - before);
        client.write(data.subarray(0, end + 4 - before));
      }
      if (body.length < counting.left) {
        counting.left -= body.length;
        client.write(body);
        return;
      }
      const kept = body.subarray(0, counting.left);
      counting = undefined;
      cut = true;
      this.cuts++;
      // end(), not destroy(): the bytes before the cut must reach the client first.
      client.end(kept);
      upstream.destroy();
    });
    const close = (): void => {
      // After a cut the client socket is ending on its own, its last bytes still on their way.
      if (!cut) client.destroy();
      // A reader that wanted only the object's head (the encoding check before the run) let go
      // before the cut: the next whole-object GET is the one to cut.
      if (counting !== undefined && !cut) {
        this.armed ??= counting.armed;
        counting = undefined;
      }
      upstream.destroy();
      this.sockets.delete(client);
      this.sockets.delete(upstream);
    };
    client.on('close', close).on('error', close);
    upstream.on('close', close).on('error', close);
  }

  async close(): Promise<void> {
    for (const s of this.sockets) s.destroy();
    await new Promise<void>((resolve) => this.server.close(() => resolve()));
  }
}
