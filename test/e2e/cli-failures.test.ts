/**
 * Every way the CLI fails on bad input (issue 25): each case is run as a user would, and ends with
 * the exit code the contract gives it and one line on stderr naming what to fix, never "internal
 * error" and never a stack. Configuration mistakes are exit 2 and send nothing; a broken input is
 * exit 3; a bad record is a reject (exit 1).
 */
import { mkdir, symlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { gzipSync } from 'node:zlib';
import { beforeAll, describe, expect, it } from 'vitest';
import { runCli } from '../support/cli.js';
import { tempDir } from '../support/files.js';

const CSV = 'id,first,last,email\nA1,Ann,Ash,a1@example.com\nA2,Bob,Birch,a2@example.com\n';

/** A pipeline file's text; `over` replaces whole top-level lines by key. */
function pipeline(over: Readonly<Record<string, string>> = {}): string {
  const lines: Record<string, string> = {
    name: 'name: users',
    resource: 'resource: users',
    source: 'source: { path: users.csv }',
    mapping: [
      'mapping:',
      '  source: { value: ERP }',
      '  sourceId: { from: id }',
      '  language: { value: NL }',
      '  firstName: first',
      '  email: { from: email, transform: [trim, lower] }',
    ].join('\n'),
    ...over,
  };
  return Object.values(lines).join('\n') + '\n';
}

let dir: string;

beforeAll(async () => {
  dir = await tempDir('cli-failures-');
  const files: Record<string, string | Buffer> = {
    'users.csv': CSV,
    'ok.yaml': pipeline(),
    'not-yaml.yaml': 'name: [users\n',
    'alias-bomb.yaml': [
      'a: &a ["x","x","x","x","x","x","x","x","x"]',
      ...'bcdefghij'.split('').map((k, i) => `${k}: &${k} [${Array(9).fill(`*${'abcdefghij'[i]}`).join(',')}]`),
      '',
    ].join('\n'),
    'binary-tag.yaml': pipeline({ name: 'name: !!binary aGVsbG8=' }),
    'js-tag.yaml': pipeline({ name: 'name: !!js/function "function(){}"' }),
    'unknown-key.yaml': pipeline({ extra: 'sauce: true' }),
    'wrong-type.yaml': pipeline({ batch: 'batch: { size: many }' }),
    'missing-column.yaml': pipeline({
      mapping: 'mapping:\n  source: { value: ERP }\n  sourceId: { from: customer_no }\n  language: { value: NL }',
    }),
    'unknown-field.yaml': pipeline({
      mapping: 'mapping:\n  source: { value: ERP }\n  sourceId: id\n  language: { value: NL }\n  shoeSize: first',
    }),
    'unknown-format.yaml': pipeline({ source: 'source: { path: users.csv, format: xlsx }' }),
    'missing-file.yaml': pipeline({ source: 'source: { path: nowhere.csv }' }),
    'empty-glob.yaml': pipeline({ source: 'source: { path: "nothing-*.csv" }' }),
    'placeholder.yaml': pipeline({ source: 'source: { path: "${EXPORT_DIR}/users.csv" }' }),
    'latin1.yaml': pipeline({ source: 'source: { path: latin1.csv }' }),
    'latin1.csv': Buffer.from('id,first,last,email\nA1,Ren\xe9,Ash,a@example.com\n', 'latin1'),
    'broken-quote.yaml': pipeline({ source: 'source: { path: broken.csv, maxRecordSize: 1kb }' }),
    'broken.csv': `id,first,last,email\nA1,"Ann${'x'.repeat(5000)}\n`,
    'bad-gzip.yaml': pipeline({ source: 'source: { path: users.csv.gz }' }),
    'users.csv.gz': Buffer.concat([gzipSync(CSV).subarray(0, 30), Buffer.from('not gzip at all, cut short')]),
    'bad-zip.yaml': pipeline({ source: 'source: { path: users.zip }' }),
    'users.zip': Buffer.from('PK\x03\x04 this is not really an archive'),
    'bad-parquet.yaml': pipeline({ source: 'source: { path: users.parquet }' }),
    'users.parquet': Buffer.from('PAR1 garbage that is no Parquet file PAR1'),
    'empty.yaml': pipeline({ source: 'source: { path: empty.csv }' }),
    'empty.csv': 'id,first,last,email\n',
    'deep.yaml': pipeline({ source: 'source: { path: deep.ndjson }' }),
    'deep.ndjson': `{"id":"D1","first":"x"}\n{"id":"D2","first":${'['.repeat(3000)}${']'.repeat(3000)}}\n`,
    'job-bad-step.yaml': 'name: nightly\nsteps: [ok.yaml, nowhere.yaml]\n',
    'config/targets.yaml':
      'broken:\n  baseUrl: ftp://example.com/v2\n  tokenUrl: https://example.com/token\n  clientId: x\n  clientSecret: y\n',
  };
  await mkdir(join(dir, 'config'));
  for (const [name, text] of Object.entries(files)) await writeFile(join(dir, name), text);
  await mkdir(join(dir, 'linked-out'), { mode: 0o700 });
  await symlink('/etc/hostname', join(dir, 'linked-out', 'report.html'));
  await writeFile(join(dir, 'a-file'), 'not a folder');
});

type Case = readonly [what: string, args: readonly string[], code: number, message: RegExp, env?: NodeJS.ProcessEnv];

const cases: readonly Case[] = [
  ['no such pipeline file', ['run', 'nowhere.yaml', '--target', 'local'], 2, /nowhere\.yaml: file not found/],
  ['a pipeline that is not YAML', ['run', 'not-yaml.yaml', '--target', 'local'], 2, /not-yaml\.yaml, line \d/],
  ['a YAML alias bomb', ['run', 'alias-bomb.yaml', '--target', 'local'], 2, /alias/i],
  ['a !!binary tag', ['run', 'binary-tag.yaml', '--target', 'local'], 2, /binary-tag\.yaml, line 1.*!!binary/],
  ['an unknown tag', ['run', 'js-tag.yaml', '--target', 'local'], 2, /js-tag\.yaml, line 1/],
  ['an unknown key', ['run', 'unknown-key.yaml', '--target', 'local'], 2, /unknown-key\.yaml, line \d+.*sauce/],
  ['a value of the wrong type', ['run', 'wrong-type.yaml', '--target', 'local'], 2, /wrong-type\.yaml, line \d+.*batch\.size/],
  ['a column that is not there', ['run', 'missing-column.yaml', '--target', 'local'], 2, /customer_no/],
  ['a target field that does not exist', ['run', 'unknown-field.yaml', '--target', 'local'], 2, /shoeSize/],
  ['an unknown format', ['run', 'unknown-format.yaml', '--target', 'local'], 2, /xlsx/],
  ['an input that is not there', ['run', 'missing-file.yaml', '--target', 'local'], 2, /nowhere\.csv/],
  ['a glob matching nothing', ['run', 'empty-glob.yaml', '--target', 'local'], 2, /nothing-\*\.csv/],
  ['a placeholder with no value', ['run', 'placeholder.yaml', '--target', 'local'], 2, /EXPORT_DIR/],
  ['bytes that are not UTF-8', ['run', 'latin1.yaml', '--target', 'local'], 2, /latin1\.csv, line 2.*windows-1252|latin1/],
  ['an unknown target', ['run', 'ok.yaml', '--target', 'nowhere'], 2, /nowhere/],
  ['a target with a wrong URL', ['run', 'ok.yaml', '--target', 'broken'], 2, /baseUrl|ftp/],
  ['credentials missing from the environment', ['run', 'ok.yaml'], 2, /PROPEL_CLIENT_ID|PROPEL_CLIENT_SECRET|PROPEL_BASE_URL/],
  ['a bad --var', ['run', 'ok.yaml', '--target', 'local', '--var', 'NOEQUALS'], 2, /--var/],
  ['an unknown flag', ['run', 'ok.yaml', '--sideways'], 2, /sideways/],
  ['--resume with nothing to resume', ['run', 'ok.yaml', '--target', 'local', '--out', 'never-ran', '--resume'], 2, /nothing to resume/],
  ['--resume and --fresh together', ['run', 'ok.yaml', '--target', 'local', '--resume', '--fresh'], 2, /exclude each other/],
  ['a run folder under a file', ['run', 'ok.yaml', '--target', 'local', '--out', 'a-file/run'], 2, /a-file/],
  [
    'a planted link in the run folder',
    ['run', 'ok.yaml', '--target', 'local', '--out', 'linked-out', '--fresh'],
    2,
    /report\.html: is a symbolic link/,
  ],
  [
    'a proxy that is not a URL',
    ['run', 'ok.yaml'],
    2,
    /HTTPS_PROXY must be an http/,
    {
      HTTPS_PROXY: 'socks4://x',
      PROPEL_BASE_URL: 'https://api.example.com/v2',
      PROPEL_TOKEN_URL: 'https://api.example.com/oauth2/token',
      PROPEL_CLIENT_ID: 'x',
      PROPEL_CLIENT_SECRET: 'y',
    },
  ],
  ['a job with a missing step', ['run', 'job-bad-step.yaml', '--target', 'local'], 2, /nowhere\.yaml/],
  ['validate of a broken pipeline', ['validate', 'unknown-key.yaml'], 2, /sauce/],
  ['state with a placeholder left open', ['state', 'placeholder.yaml'], 2, /EXPORT_DIR/],
  ['init of a file that is not there', ['init', 'users', 'nowhere.csv'], 2, /nowhere\.csv/],
  ['init of an unknown resource', ['init', 'widgets', 'users.csv'], 2, /widgets/],
  ['a quote left open', ['run', 'broken-quote.yaml', '--target', 'local'], 3, /broken\.csv, line 2.*source\.maxRecordSize/],
  ['corrupt gzip', ['run', 'bad-gzip.yaml', '--target', 'local'], 3, /users\.csv\.gz/],
  ['not a ZIP archive', ['run', 'bad-zip.yaml', '--target', 'local'], 3, /users\.zip/],
  ['not a Parquet file', ['run', 'bad-parquet.yaml', '--target', 'local'], 3, /users\.parquet/],
  ['an export with no record', ['run', 'empty.yaml', '--target', 'local'], 3, /empty\.csv/],
  ['a record nested 3,000 levels', ['run', 'deep.yaml', '--target', 'local'], 1, /deep\.ndjson:2: nests deeper than 64 levels/],
];

describe('every way the CLI fails on bad input', { timeout: 120_000 }, () => {
  it.each(cases.map((c) => ({ what: c[0], args: c[1], code: c[2], message: c[3], env: c[4] ?? {} })))(
    '$what',
    async ({ args, code, message, env }) => {
      const r = await runCli(args, { cwd: dir, env });
      const said = r.stderr.trim();
      expect(said, said).not.toMatch(/internal error|^\s+at |TypeError|RangeError|ReferenceError/m);
      expect([r.code, code === 1 ? r.stdout : said], said).toEqual([code, expect.stringMatching(message)]);
      if (code !== 1) {
        // One line that says it (a run prints its start line before it fails; a usage error the hint to --help).
        const lines = said.split('\n').filter((l) => !/^(starting|resuming) |^\(run with --help for usage\)$/.test(l));
        expect(lines, said).toHaveLength(1);
      }
    },
  );
});
