import { mkdtempSync, mkdirSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { findTargetsFile, isLoopbackHost, loadTarget } from '../../src/config/index.js';
import { FIXTURES, REPO, configError } from './helpers.js';

const CUSTOM = path.join(FIXTURES, 'targets', 'custom');
const SECRET = 'sup3r-s3cret-value';

describe('the shipped targets', () => {
  it('propel reads credentials from the environment, with the documented URLs by default', async () => {
    const target = await loadTarget('propel', { env: { PROPEL_CLIENT_ID: 'client-1', PROPEL_CLIENT_SECRET: SECRET } });
    expect(target).toEqual({
      name: 'propel',
      kind: 'http',
      baseUrl: 'https://api.helice.cloud/v2',
      tokenUrl: 'https://api.helice.cloud/oauth2/token',
      clientId: 'client-1',
      clientSecret: SECRET,
    });
  });

  it('propel takes its URLs from the environment when set (loopback http allowed, trailing / dropped)', async () => {
    const target = await loadTarget('propel', {
      env: {
        PROPEL_BASE_URL: 'http://127.0.0.1:4010/v2/',
        PROPEL_TOKEN_URL: 'http://localhost:4010/oauth2/token',
        PROPEL_CLIENT_ID: 'id',
        PROPEL_CLIENT_SECRET: SECRET,
      },
    });
    expect(target).toMatchObject({ baseUrl: 'http://127.0.0.1:4010/v2', tokenUrl: 'http://localhost:4010/oauth2/token' });
  });

  it('a missing secret names the variable and shows no other value from the environment', async () => {
    const error = await configError(loadTarget('propel', { env: { PROPEL_CLIENT_ID: 'client-id-value', OTHER_SECRET: SECRET } }));
    expect(error.message).toMatch(/^PROPEL_CLIENT_SECRET is not set/);
    // Targets read only the environment: a secret passed with --var would show in `ps`.
    expect(error.message).toMatch(/set PROPEL_CLIENT_SECRET in the environment\)$/);
    expect(error.message).not.toContain('--var');
    const everything = `${error.message} ${error.describe()} ${JSON.stringify(error.context)}`;
    expect(everything).not.toContain(SECRET);
    expect(everything).not.toContain('client-id-value');
    expect(error.context.line).toBe(10);
  });

  it('a missing client id names it', async () => {
    const error = await configError(loadTarget('propel', { env: { PROPEL_CLIENT_SECRET: SECRET } }));
    expect(error.message).toMatch(/^PROPEL_CLIENT_ID is not set/);
    expect(error.message).not.toContain(SECRET);
  });

  it('an empty secret is refused without showing anything', async () => {
    const error = await configError(loadTarget('propel', { env: { PROPEL_CLIENT_ID: 'id', PROPEL_CLIENT_SECRET: ' ' } }));
    expect(error.message).toBe('clientSecret of target "propel" is empty (its variable is set but empty)');
  });

  it('plain http to a remote host is refused (TLS stays on)', async () => {
    const error = await configError(
      loadTarget('propel', {
        env: { PROPEL_BASE_URL: 'http://api.helice.cloud/v2', PROPEL_CLIENT_ID: 'id', PROPEL_CLIENT_SECRET: SECRET },
      }),
    );
    expect(error.message).toBe(
      'propel.baseUrl of target "propel" must use https (plain http only to localhost/127.0.0.1); got http://api.helice.cloud',
    );
  });

  it('credentials inside a URL are refused without being shown', async () => {
    const error = await configError(
      loadTarget('propel', {
        env: { PROPEL_TOKEN_URL: `https://me:${SECRET}@api.helice.cloud/t`, PROPEL_CLIENT_ID: 'id', PROPEL_CLIENT_SECRET: 'x' },
      }),
    );
    expect(error.message).toMatch(/must not hold credentials/);
    expect(error.message).not.toContain(SECRET);
  });

  it('local is the embedded emulator and needs no credentials', async () => {
    expect(await loadTarget('local', { env: {} })).toEqual({ name: 'local', kind: 'emulator' });
  });

  it('an unknown target lists the known ones', async () => {
    const error = await configError(loadTarget('prod', { env: {} }));
    expect(error.message).toBe('unknown target "prod"; known targets: propel, local, demo');
  });
});

describe('a targets file of ones own', () => {
  it('comes from options.configDir', async () => {
    expect(await findTargetsFile({ configDir: CUSTOM })).toBe(path.join(CUSTOM, 'targets.yaml'));
    const target = await loadTarget('staging', { configDir: CUSTOM, env: { STAGING_ID: 'sid', STAGING_SECRET: SECRET } });
    expect(target).toEqual({
      name: 'staging',
      kind: 'http',
      baseUrl: 'http://127.0.0.1:8080/v2',
      tokenUrl: 'http://localhost:8080/oauth2/token',
      clientId: 'sid',
      clientSecret: SECRET,
    });
    expect(await loadTarget('embedded', { configDir: CUSTOM, env: {} })).toEqual({ name: 'embedded', kind: 'emulator' });
  });

  it('refuses http to a remote host', async () => {
    const error = await configError(loadTarget('insecure', { configDir: CUSTOM, env: { STAGING_SECRET: SECRET } }));
    expect(error.message).toMatch(/must use https/);
    expect(error.context.line).toBe(7);
  });

  it('reports a misspelt key with its line', async () => {
    const error = await configError(
      loadTarget('propel', { configDir: path.join(FIXTURES, 'targets', 'broken'), env: { PROPEL_CLIENT_SECRET: SECRET } }),
    );
    expect(error.message).toBe('unknown key "clientSecet" in propel (did you mean "clientSecret"?)');
    expect(error.context.line).toBe(5);
    expect(error.message).not.toContain(SECRET);
  });

  it("is looked for in ./config of the working folder, and extends the package's", async () => {
    const dir = mkdtempSync(path.join(tmpdir(), 'propel-etl-targets-'));
    const before = process.cwd();
    try {
      process.chdir(dir);
      expect(await findTargetsFile()).toBe(path.join(REPO, 'config', 'targets.yaml'));
      mkdirSync(path.join(dir, 'config'));
      writeFileSync(path.join(dir, 'config', 'targets.yaml'), 'mine:\n  emulator: true\n');
      expect(await loadTarget('mine', { env: {} })).toEqual({ name: 'mine', kind: 'emulator' });
      // It extends the package's file: what it does not define still comes from there.
      expect(await loadTarget('local', { env: {} })).toEqual({ name: 'local', kind: 'emulator' });
      const unknown = await configError(loadTarget('prod', { env: {} }));
      expect(unknown.message).toBe('unknown target "prod"; known targets: mine, propel, local, demo');
      expect(unknown.context.file).toBe(path.join(dir, 'config', 'targets.yaml'));
    } finally {
      process.chdir(before);
      rmSync(dir, { recursive: true, force: true });
    }
  });
});

describe('loopback hosts', () => {
  it('are this machine only', () => {
    for (const host of ['localhost', '127.0.0.1', '127.1.2.3', '[::1]', 'LOCALHOST']) expect(isLoopbackHost(host)).toBe(true);
    for (const host of ['example.com', '10.0.0.1', '127.0.0.1.example.com', 'localhost.evil.com']) expect(isLoopbackHost(host)).toBe(false);
  });
});
