import { readdirSync, readFileSync, statSync } from 'node:fs';
import { join, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import {
  AuthError,
  ConfigError,
  InternalError,
  InterruptedError,
  RejectBudgetError,
  SourceError,
  TransportError,
  restateRefusal,
} from '../../src/core/errors.js';
import { ERR, exitCodeOf, type ErrorCodeName } from '../../src/core/error-codes.js';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const CATALOGUE = 'src/core/error-codes.ts';

function sources(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? sources(path) : path.endsWith('.ts') ? [path] : [];
  });
}
const SRC = sources(join(ROOT, 'src')).map((path) => ({ file: relative(ROOT, path), code: readFileSync(path, 'utf8') }));

/** The README's table of codes: `code` -> exit column. */
function readmeTable(): Map<string, string> {
  const readme = readFileSync(join(ROOT, 'README.md'), 'utf8');
  const section = readme.slice(readme.indexOf('### Error codes'));
  const rows = new Map<string, string>();
  for (const m of section.matchAll(/^\| `(ETL_[A-Z0-9_]+)` \| ([^|]+) \|/gm)) rows.set(m[1] as string, (m[2] as string).trim());
  return rows;
}

describe('the error catalogue', () => {
  it('is the only place a code is written: no ETL_ string literal elsewhere in src/', () => {
    const stray = SRC.filter((f) => f.file !== CATALOGUE && /['"`]ETL_/.test(f.code)).map((f) => f.file);
    expect(stray).toEqual([]);
  });

  it('every code referred to in src/ is an entry, and every entry is used', () => {
    const names = new Set(Object.keys(ERR));
    const used = new Set<string>();
    for (const f of SRC) {
      if (f.file === CATALOGUE) continue;
      for (const m of f.code.matchAll(/\bERR\.([A-Z0-9_]+)/g)) {
        expect(names.has(m[1] as string), `${f.file}: ERR.${m[1]}`).toBe(true);
        used.add(m[1] as string);
      }
    }
    expect([...names].filter((n) => !used.has(n))).toEqual([]);
  });

  it('each code is written once, as ETL_ and its name', () => {
    for (const [name, entry] of Object.entries(ERR)) expect(entry.code).toBe(`ETL_${name}`);
  });

  it("README's table lists every code with its exit code, and no other", () => {
    const table = readmeTable();
    const expected = new Map(Object.values(ERR).map((e) => [e.code as string, String(exitCodeOf(e) ?? 'warning')]));
    expect(Object.fromEntries(table)).toEqual(Object.fromEntries(expected));
  });

  it("each class carries its kind's exit code", () => {
    const cases: [Error & { code: string; exitCode: number }, ErrorCodeName][] = [
      [new ConfigError('x'), 'CONFIG'],
      [new ConfigError('x', {}, ERR.SOURCE_MISSING), 'SOURCE_MISSING'],
      [new SourceError('x'), 'SOURCE'],
      [new SourceError('x', {}, ERR.SOURCE_CSV), 'SOURCE_CSV'],
      [new AuthError('x'), 'AUTH_REVOKED'],
      [new TransportError('x'), 'TARGET_FAILED'],
      [new TransportError('x', {}, ERR.S3_UNREACHABLE), 'S3_UNREACHABLE'],
      [new RejectBudgetError('x'), 'REJECT_BUDGET'],
      [new InterruptedError('SIGTERM'), 'INTERRUPTED'],
      [new InternalError('x'), 'INTERNAL'],
    ];
    for (const [error, name] of cases) {
      expect(error.code).toBe(ERR[name].code);
      expect(error.exitCode).toBe(exitCodeOf(ERR[name]));
    }
    expect(new ConfigError('x').exitCode).toBe(2);
    expect(new SourceError('x').exitCode).toBe(3);
    expect(new InterruptedError('SIGINT').exitCode).toBe(130);
  });

  it('a refusal told at another place keeps its code', () => {
    const moved = new ConfigError('x', { file: 'a' }, ERR.S3_URL).at({ file: 'p.yaml', line: 4, key: 'source.path' });
    expect(moved.code).toBe('ETL_S3_URL');
    expect(moved.describe()).toBe('p.yaml, line 4: x');
  });

  it('a refusal no retry can fix is exit 2 until the target accepted an item, exit 3 after (issue 26)', () => {
    const refused = new AuthError('authentication refused by the token endpoint (HTTP 401)', {
      status: 401,
      url: 'https://t/oauth2/token',
    });
    expect(restateRefusal(refused, 0)).toMatchObject({ code: 'ETL_AUTH_REFUSED', exitCode: 2, context: { url: 'https://t/oauth2/token' } });
    expect(restateRefusal(refused, 5)).toBe(refused);
    const missing = new TransportError('https://api/v2/users/bulk/sourceId answered HTTP 404: not found', { status: 404, batch: 1 });
    expect(restateRefusal(missing, 0)).toMatchObject({ code: 'ETL_ENDPOINT_MISSING', exitCode: 2 });
    expect(restateRefusal(missing, 1)).toBe(missing);
    const gone = new TransportError('gave up after 8 retries (last: HTTP 503)', { status: 503 });
    expect(restateRefusal(gone, 0)).toBe(gone);
  });
});
