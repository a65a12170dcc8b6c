/**
 * The Dockerfile, held without a Docker daemon: linted (every problem fails, warnings too), and
 * the facts README's CronJob relies on checked instruction by instruction.
 */
import { existsSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { join } from 'node:path';
import { fileURLToPath } from 'node:url';
import { validate, ValidationSeverity, type ValidatorSettings } from 'dockerfile-utils';
import { describe, expect, it } from 'vitest';

const REPO = fileURLToPath(new URL('../../', import.meta.url));
const dockerfile = await readFile(join(REPO, 'Dockerfile'), 'utf8');
const dockerignore = await readFile(join(REPO, '.dockerignore'), 'utf8');
const readme = await readFile(join(REPO, 'README.md'), 'utf8');
const pkg = JSON.parse(await readFile(join(REPO, 'package.json'), 'utf8')) as { version: string; bin: Record<string, string> };

/** Every check the linter has, as an error. */
const STRICT: Required<ValidatorSettings> = {
  deprecatedMaintainer: ValidationSeverity.ERROR,
  directiveCasing: ValidationSeverity.ERROR,
  emptyContinuationLine: ValidationSeverity.ERROR,
  instructionCasing: ValidationSeverity.ERROR,
  instructionCmdMultiple: ValidationSeverity.ERROR,
  instructionEntrypointMultiple: ValidationSeverity.ERROR,
  instructionHealthcheckMultiple: ValidationSeverity.ERROR,
  instructionJSONInSingleQuotes: ValidationSeverity.ERROR,
  instructionWorkdirRelative: ValidationSeverity.ERROR,
};

interface Instruction {
  readonly keyword: string;
  readonly args: string;
}
interface Stage {
  readonly from: string;
  readonly name: string | undefined;
  readonly instructions: Instruction[];
}

/** The stages and their instructions: continuation lines joined, comments left out. */
function stages(text: string): Stage[] {
  const lines = text.split('\n').filter((l) => !/^\s*#/.test(l));
  const joined = lines.join('\n').replace(/\\\n/g, ' ');
  const result: Stage[] = [];
  for (const line of joined.split('\n')) {
    const m = /^\s*([A-Za-z]+)\s+(.*?)\s*$/.exec(line);
    if (m === null) continue;
    const keyword = (m[1] as string).toUpperCase();
    const args = (m[2] as string).replace(/\s+/g, ' ');
    if (keyword === 'FROM') {
      const [from, as, name] = args.split(' ');
      result.push({ from: from as string, name: as?.toUpperCase() === 'AS' ? name : undefined, instructions: [] });
    } else result.at(-1)?.instructions.push({ keyword, args });
  }
  return result;
}

const all = stages(dockerfile);
const runtime = all.at(-1) as Stage;
const named = (name: string): Stage => all.find((s) => s.name === name) as Stage;
const args = (stage: Stage, keyword: string): string[] => stage.instructions.filter((i) => i.keyword === keyword).map((i) => i.args);

describe('Dockerfile', () => {
  it('has no problem the linter finds', () => {
    expect(validate(dockerfile, STRICT)).toEqual([]);
    // The linter is awake: it does find problems.
    expect(validate("FROM node:24-slim\nworkdir app\nCMD ['--help']\n", STRICT)).toHaveLength(3);
  });

  it('is built in stages on node:24-slim, pinned by its tag', () => {
    expect(all.map((s) => s.from)).toEqual(['node:24-slim', 'node:24-slim', 'node:24-slim']);
    expect(all.map((s) => s.name)).toEqual(['build', 'deps', undefined]);
    expect(args(named('build'), 'RUN')).toEqual(['npm ci --ignore-scripts', 'npm run build']);
  });

  it('installs only the production dependencies, better-sqlite3 built and loaded on the runtime base image', () => {
    const install = args(named('deps'), 'RUN').find((a) => a.includes('npm ci')) ?? '';
    expect(install).toMatch(/^npm ci --omit=dev --ignore-scripts && npm rebuild better-sqlite3 && node -e .*better-sqlite3/);
    expect(args(runtime, 'COPY')).toEqual(
      expect.arrayContaining(['--from=deps /app/node_modules ./node_modules', '--from=build /app/dist ./dist']),
    );
    expect(args(runtime, 'RUN').join(' ')).not.toMatch(/npm (ci|install)/);
  });

  it('runs the CLI as a non-root user in /data, a volume, in production mode', () => {
    expect(args(runtime, 'ENV')).toContain('NODE_ENV=production');
    expect(args(runtime, 'USER')).toEqual(['node']);
    expect(args(runtime, 'WORKDIR').at(-1)).toBe('/data');
    expect(args(runtime, 'VOLUME')).toEqual(['/data']);
    // Made before the volume is declared, and the user's: a new named volume starts writable.
    expect(args(runtime, 'RUN')).toContain('mkdir /data && chown node:node /data');
    expect(JSON.parse(args(runtime, 'ENTRYPOINT')[0] ?? '')).toEqual(['node', `/app/${pkg.bin['propel-etl']}`]);
    expect(JSON.parse(args(runtime, 'CMD')[0] ?? '')).toEqual(['--help']);
  });

  it('copies what the CLI reads at run time, from a context that holds only what the build needs', () => {
    const fromContext = all.flatMap((s) => args(s, 'COPY').filter((a) => !a.startsWith('--from=')));
    const sources = fromContext.flatMap((a) => a.split(' ').slice(0, -1));
    expect(new Set(sources)).toEqual(
      new Set(['package.json', 'package-lock.json', 'tsconfig.json', 'tsconfig.build.json', 'src', 'schemas', 'config']),
    );
    const allowed = dockerignore
      .split('\n')
      .filter((l) => l.startsWith('!'))
      .map((l) => l.slice(1));
    expect(dockerignore.split('\n')).toContain('*');
    for (const source of sources) {
      expect(allowed, source).toContain(source);
      expect(existsSync(join(REPO, source)), source).toBe(true);
    }
    // The schemas and the package's targets are read next to dist/ (import.meta.url), the version from package.json.
    expect(args(runtime, 'COPY')).toEqual(expect.arrayContaining(['package.json ./', 'schemas ./schemas', 'config ./config']));
  });

  it("is the image README's commands and CronJob use", () => {
    expect(readme).toContain(`docker build -t propel-etl:${pkg.version} .`);
    expect(readme).toContain(`image: registry.example.com/propel-etl:${pkg.version}`);
    expect(readme).toContain(`node /app/${pkg.bin['propel-etl']} run `);
  });
});
