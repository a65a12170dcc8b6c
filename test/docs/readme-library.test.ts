/**
 * README's "Library" section is the real thing: its ```ts examples are compiled (strict) and run
 * in a project of their own that installs propel-etl as a consumer gets it, against the emulator.
 * The test fails when an example stops compiling or running, or the table of options leaves one out.
 */
import { spawn } from 'node:child_process';
import { once } from 'node:events';
import { cp, mkdir, readFile, rm, symlink, writeFile } from 'node:fs/promises';
import { dirname, join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startEmulator, type Emulator } from '../../src/emulator/index.js';
import { OPTION_NAMES } from '../../src/run/run-options.js';
import { readJson, tempDir } from '../support/files.js';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const TSC = join(REPO, 'node_modules/typescript/bin/tsc');

interface Child {
  readonly code: number | null;
  readonly stdout: string;
  readonly stderr: string;
}

function run(command: string, args: readonly string[], cwd: string, env: NodeJS.ProcessEnv = process.env): Promise<Child> {
  const child = spawn(command, args, { cwd, env, stdio: ['ignore', 'pipe', 'pipe'] });
  let stdout = '';
  let stderr = '';
  child.stdout.on('data', (d: Buffer) => (stdout += d.toString()));
  child.stderr.on('data', (d: Buffer) => (stderr += d.toString()));
  return once(child, 'close').then(([code]) => ({ code: code as number | null, stdout, stderr }));
}

/** The text from `## Library` to the next `## ` heading. */
function librarySection(readme: string): string {
  const start = readme.indexOf('\n## Library\n');
  expect(start, 'README has a "## Library" section').toBeGreaterThan(0);
  const end = readme.indexOf('\n## ', start + 1);
  return readme.slice(start, end === -1 ? undefined : end);
}

const readme = await readFile(join(REPO, 'README.md'), 'utf8');
const section = librarySection(readme);
const examples = [...section.matchAll(/^```ts\n([\s\S]*?)^```$/gm)].map((m) => m[1] as string);
const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as {
  name: string;
  version: string;
  types: string;
  exports: { '.': { types: string; import: string } };
};

/**
 * The files `npm pack` puts in the tarball (so `files` in package.json is tested too), copied to
 * `node_modules/propel-etl` of a new project; the package's dependencies are the repository's,
 * linked where npm would have installed them. @types/node is the consumer's own.
 */
async function consumerProject(): Promise<string> {
  const packed = await run('npm', ['pack', '--dry-run', '--json', '--ignore-scripts'], REPO);
  expect(packed.code, packed.stderr).toBe(0);
  const [tarball] = JSON.parse(packed.stdout) as [{ filename: string; files: { path: string }[] }];
  const files = tarball.files.map((f) => f.path);
  // Built by `npm test` (and `prepare`) before the tests run; alone: `npm run build` first.
  expect(files, 'dist/ is built').toEqual(expect.arrayContaining([pkg.exports['.'].import.slice(2), pkg.exports['.'].types.slice(2)]));
  // The install commands README gives name this version's tarball and tag.
  expect(section).toContain(`npm install /path/to/${tarball.filename}`);
  expect(section).toContain(`propel-etl.git#v${pkg.version}`);

  const project = await tempDir('readme-library-');
  const installed = join(project, 'node_modules', pkg.name);
  for (const file of files) {
    await mkdir(dirname(join(installed, file)), { recursive: true });
    await cp(join(REPO, file), join(installed, file));
  }
  await symlink(join(REPO, 'node_modules'), join(installed, 'node_modules'), 'dir');
  await mkdir(join(project, 'node_modules/@types'));
  await symlink(join(REPO, 'node_modules/@types/node'), join(project, 'node_modules/@types/node'), 'dir');
  await writeFile(
    join(project, 'package.json'),
    JSON.stringify({ name: 'nightly-import', private: true, type: 'module', dependencies: { [pkg.name]: pkg.version } }),
  );
  await writeFile(
    join(project, 'tsconfig.json'),
    JSON.stringify({
      compilerOptions: {
        target: 'ES2022',
        module: 'NodeNext',
        moduleResolution: 'NodeNext',
        strict: true,
        noUncheckedIndexedAccess: true,
        types: ['node'],
        outDir: 'out',
        rootDir: '.',
      },
      include: ['*.ts'],
    }),
  );
  // What the examples read: the repository's own pipelines and their data.
  await cp(join(REPO, 'pipelines'), join(project, 'pipelines'), { recursive: true });
  return project;
}

describe("README's Library section", () => {
  let project: string;
  let emu: Emulator;

  beforeAll(async () => {
    project = await consumerProject();
    for (const [i, text] of examples.entries()) await writeFile(join(project, `example-${i + 1}.ts`), text);
    emu = await startEmulator({});
  }, 60_000);
  afterAll(async () => {
    await emu?.close();
    if (project !== undefined) await rm(project, { recursive: true, force: true });
  });

  it('has examples that compile, strict, against the installed package', async () => {
    expect(examples.length).toBeGreaterThanOrEqual(2);
    const compiled = await run(process.execPath, [TSC, '-p', project], project);
    expect(compiled.stdout + compiled.stderr).toBe('');
    expect(compiled.code).toBe(0);
  }, 60_000);

  it('has examples that run, in order, against Propel (here the emulator, through the PROPEL_* variables)', async () => {
    // Propel as the nightly finds it: the usergroup tree is there, the users go under it.
    for (const line of (await readFile(join(project, 'pipelines/data/usergroups.ndjson'), 'utf8')).split('\n').filter(Boolean)) {
      const g = JSON.parse(line) as { id: number; code: string; name: string };
      emu.store.seedUsergroup({ id: g.id, source: 'WAREHOUSE', sourceId: g.code, name: g.name });
    }
    const c = emu.clients[0]!;
    const env = {
      PATH: process.env.PATH ?? '',
      PROPEL_BASE_URL: emu.baseUrl,
      PROPEL_TOKEN_URL: emu.tokenUrl,
      PROPEL_CLIENT_ID: c.id,
      PROPEL_CLIENT_SECRET: c.secret,
    };
    const outputs: Child[] = [];
    for (const i of examples.keys()) {
      const result = await run(process.execPath, [join(project, 'out', `example-${i + 1}.js`)], project, env);
      expect(result.stderr, `example ${i + 1}`).toBe('');
      expect(result.code, `example ${i + 1}`).toBe(0);
      outputs.push(result);
    }
    // The first: runPipeline on users.yaml, every user imported.
    expect(outputs[0]?.stdout).toContain('completed, exit 0');
    expect(await readJson(join(project, 'runs/users/summary.json'))).toMatchObject({ status: 'completed', exitCode: 0 });
    expect(emu.store.users()).toHaveLength(36);
    // The second: the nightly job, both steps completed.
    expect(outputs[1]?.stdout).toMatch(/usergroups\.yaml completed \d+\n.*users\.yaml completed \d+\n/);
    const day = new Date().toISOString().slice(0, 10);
    expect(await readJson(join(project, 'runs/nightly', day, 'job-summary.json'))).toMatchObject({ job: 'nightly', exitCode: 0 });
  }, 60_000);

  it('lists every option runPipeline and runJob take in its table, and no other', () => {
    const rows = section.split('\n').filter((l) => l.startsWith('| `'));
    const documented = rows.flatMap((row) => [...(row.split('|')[1] ?? '').matchAll(/`(\w+)`/g)].map((m) => m[1]));
    expect(new Set(documented)).toEqual(new Set([...OPTION_NAMES.runPipeline, ...OPTION_NAMES.runJob]));
    expect(documented).toHaveLength(new Set(documented).size);
  });
});
