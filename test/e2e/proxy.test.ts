/**
 * HTTP_PROXY / HTTPS_PROXY / NO_PROXY (issue 26) through the built CLI, with a real proxy on
 * loopback: the token and bulk requests are forwarded by it (absolute-URI requests), the S3
 * requests tunnelled (CONNECT), the Pushgateway push forwarded; NO_PROXY sends them straight;
 * the proxy's password is in no output and no file; refused proxy credentials are exit 2.
 */
import { readdir, readFile, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { afterEach, beforeAll, describe, expect, it } from 'vitest';
import { runCli, targetEnv } from '../support/cli.js';
import { emulatorPerFile, storedUsers } from '../support/emulator.js';
import { tempDir } from '../support/files.js';
import { startForwardProxy, type ForwardProxy } from '../support/forward-proxy.js';
import { BUCKET, s3ServerPerFile } from '../support/s3.js';
import { startPushgateway } from '../outputs/metrics/helpers.js';
import { SECRET, user, writePipeline } from './sources-setup.js';

const fixture = emulatorPerFile(SECRET);
const s3Fixture = s3ServerPerFile();
const PASSWORD = 'Proxy-Pass-5521';
const CSV = 'id,first,last,email\nX1,Ann,Ash,x1@example.com\nX2,Bob,Birch,x2@example.com\n';

const proxies: ForwardProxy[] = [];
afterEach(async () => {
  for (const p of proxies.splice(0)) await p.close();
});

async function proxy(withCredentials = true): Promise<ForwardProxy> {
  const p = await startForwardProxy(withCredentials ? { credentials: { user: 'etl', password: PASSWORD } } : {});
  proxies.push(p);
  return p;
}

async function workspace(path = 'users.csv'): Promise<{ dir: string; pipeline: string }> {
  const dir = await tempDir('e2e-proxy-');
  if (!path.startsWith('s3://')) await writeFile(join(dir, path), CSV);
  return { dir, pipeline: await writePipeline(dir, 'users', { path }) };
}

/** Every file the run left, as text. */
async function everything(dir: string): Promise<string> {
  const names = await readdir(dir, { recursive: true, withFileTypes: true });
  const texts = await Promise.all(names.filter((d) => d.isFile()).map((d) => readFile(join(d.parentPath, d.name), 'latin1')));
  return texts.join('\n');
}

beforeAll(async () => {
  await s3Fixture.s3.put('proxied/users.csv', CSV);
});

describe('a proxy in the environment', { timeout: 60_000 }, () => {
  it('forwards the token and bulk requests, with its credentials, which appear nowhere', async () => {
    const p = await proxy();
    const { dir, pipeline } = await workspace();
    const r = await runCli(['run', pipeline, '--out', 'out', '--log-format', 'json'], {
      cwd: dir,
      env: { ...targetEnv(fixture.emu, SECRET), HTTP_PROXY: p.url },
    });
    expect([r.code, r.stderr.includes('"level":"error"')]).toEqual([0, false]);
    expect(storedUsers(fixture.emu)).toEqual([user('X1', 'Ann', 'Ash', 'x1@example.com'), user('X2', 'Bob', 'Birch', 'x2@example.com')]);
    expect(p.log).toEqual([
      { kind: 'forward', target: fixture.emu.tokenUrl, status: 200 },
      { kind: 'forward', target: `${fixture.emu.baseUrl}/users/bulk/sourceId`, status: 200 },
    ]);
    expect(`${r.stdout}${r.stderr}${await everything(dir)}`).not.toContain(PASSWORD);
  });

  it('NO_PROXY sends them straight; the lower-case names win', async () => {
    const p = await proxy(false);
    const { dir, pipeline } = await workspace();
    const r = await runCli(['run', pipeline, '--out', 'out', '--quiet'], {
      cwd: dir,
      env: { ...targetEnv(fixture.emu, SECRET), HTTP_PROXY: p.url, no_proxy: 'example.com, 127.0.0.1' },
    });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(p.log).toEqual([]);
  });

  it('refused proxy credentials stop the run before anything is sent: exit 2, naming the proxy, never its password', async () => {
    const p = await proxy();
    const { dir, pipeline } = await workspace();
    const wrong = p.url.replace(PASSWORD, 'wrong-Pass-77');
    const r = await runCli(['run', pipeline, '--out', 'out'], {
      cwd: dir,
      env: { ...targetEnv(fixture.emu, SECRET), HTTP_PROXY: wrong },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toContain(`HTTP 407: the proxy ${p.origin} refused`);
    expect(r.stderr).not.toContain('wrong-Pass-77');
    expect(p.log.map((e) => e.status)).toEqual([407]);
    expect(storedUsers(fixture.emu)).toEqual([]);
  });

  it('a proxy variable that is not a URL is exit 2 naming it', async () => {
    const { dir, pipeline } = await workspace();
    const r = await runCli(['run', pipeline, '--out', 'out'], {
      cwd: dir,
      env: { ...targetEnv(fixture.emu, SECRET), HTTPS_PROXY: 'socks4://127.0.0.1:1080' },
    });
    expect(r.code).toBe(2);
    expect(r.stderr).toMatch(/HTTPS_PROXY must be an http:\/\/ or https:\/\/ proxy URL/);
  });

  it('tunnels the S3 requests with CONNECT', async () => {
    const p = await proxy();
    const { dir, pipeline } = await workspace(`s3://${BUCKET}/proxied/users.csv`);
    const r = await runCli(['run', pipeline, '--out', 'out', '--quiet'], {
      cwd: dir,
      env: {
        ...targetEnv(fixture.emu, SECRET),
        ...s3Fixture.s3.env(),
        HTTP_PROXY: p.url,
        NO_PROXY: fixture.emu.origin.replace('http://', ''),
      },
    });
    expect([r.code, r.stderr]).toEqual([0, '']);
    expect(storedUsers(fixture.emu)).toHaveLength(2);
    // Only S3 went through the proxy: the emulator's host:port is in NO_PROXY.
    expect(p.log.length).toBeGreaterThan(0);
    expect(new Set(p.log.map((e) => `${e.kind} ${e.target} ${e.status}`))).toEqual(new Set([`connect 127.0.0.1:${s3Fixture.s3.port} 200`]));
    expect(`${r.stdout}${r.stderr}${await everything(dir)}`).not.toContain(PASSWORD);
  });

  it('forwards the Pushgateway push', async () => {
    const p = await proxy();
    const gateway = await startPushgateway();
    try {
      const { dir, pipeline } = await workspace();
      const gatewayHost = new URL(gateway.url).host;
      const emulatorHost = new URL(fixture.emu.origin).host;
      const r = await runCli(['run', pipeline, '--out', 'out', '--quiet', '--pushgateway', gateway.url], {
        cwd: dir,
        env: { ...targetEnv(fixture.emu, SECRET), HTTP_PROXY: p.url, NO_PROXY: emulatorHost },
      });
      expect([r.code, r.stderr]).toEqual([0, '']);
      expect(p.log).toEqual([
        { kind: 'forward', target: `http://${gatewayHost}/metrics/job/propel_etl/pipeline/users/target/propel`, status: 200 },
      ]);
      expect(await gateway.metrics()).toContain('propel_etl_');
    } finally {
      await gateway.stop();
    }
  });
});
