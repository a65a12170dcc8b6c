import { describe, expect, it } from 'vitest';
import { loadPipeline, loadRunFile } from '../../src/config/index.js';
import { configError } from './helpers.js';
import { tempFiles } from '../support/files.js';

const write = tempFiles('propel-etl-config-');

/** A valid pipeline; tests replace single lines to break it in one place. */
const BASE = `name: t
resource: users
source:
  path: in.csv
  csv:
    delimiter: ";"
mapping:
  sourceId: { from: id }
  email:
    from: email
    transform: [trim]
batch: { size: 10 }
`;

async function failure(text: string, name = 'p.yaml') {
  const file = write(name, text);
  const error = await configError(loadPipeline(file));
  expect(error.context.file).toBe(file);
  expect(error.exitCode).toBe(2);
  return error;
}

describe('unknown keys name the key, where it is, and its line', () => {
  it('at the top level', async () => {
    const error = await failure(`${BASE}nmae: x\n`);
    expect(error.message).toBe('unknown key "nmae" at the top level (did you mean "name"?)');
    expect(error.context.line).toBe(13);
  });

  it('in source.csv', async () => {
    const error = await failure(BASE.replace('    delimiter: ";"', '    delimiter: ";"\n    delimeter: ","'));
    expect(error.message).toBe('unknown key "delimeter" in source.csv (did you mean "delimiter"?)');
    expect(error.context).toMatchObject({ line: 7, key: 'source.csv.delimeter' });
  });

  it('inside a field spec of the mapping', async () => {
    const error = await failure(BASE.replace('    from: email', '    form: email'));
    expect(error.message).toBe('unknown key "form" in mapping.email (did you mean "from"?)');
    expect(error.context.line).toBe(10);
  });

  it('inside a field spec nested in a list of objects', async () => {
    const error = await failure(
      `${BASE}  addresses:\n    - type: { value: invoice }\n      city: { from: city, dat: DD-MM-YYYY }\n`.replace(
        'batch: { size: 10 }\n',
        '',
      ) + 'batch: { size: 10 }\n',
    );
    expect(error.message).toBe('unknown key "dat" in mapping.addresses[0].city (did you mean "date"?)');
    expect(error.context.line).toBe(14);
  });

  it('lists the known keys when nothing is close', async () => {
    const error = await failure(BASE.replace('batch: { size: 10 }', 'batch: { size: 10, parallel: 3 }'));
    expect(error.message).toBe('unknown key "parallel" in batch (known keys: size, maxBytes)');
    expect(error.context.line).toBe(12);
  });

  it('in a JSON file, with the line of the key', async () => {
    const json =
      '{\n  "name": "t",\n  "resource": "users",\n  "source": { "path": "in.csv" },\n  "mapping": { "sourceId": "id" },\n  "sned": {}\n}\n';
    const error = await failure(json, 'p.json');
    expect(error.message).toBe('unknown key "sned" at the top level (did you mean "send"?)');
    expect(error.context.line).toBe(6);
  });
});

describe('wrong values name the key and the line of the value', () => {
  it('a wrong type', async () => {
    const error = await failure(BASE.replace('batch: { size: 10 }', 'batch:\n  size: ten'));
    expect(error.message).toBe('batch.size must be an integer; got "ten"');
    expect(error.context).toMatchObject({ line: 13, key: 'batch.size' });
  });

  it('an enum value, with a suggestion', async () => {
    const error = await failure(BASE.replace('resource: users', 'resource: user'));
    expect(error.message).toBe('resource must be one of: users, usergroups; got "user" (did you mean "users"?)');
    expect(error.context.line).toBe(2);
  });

  it('a transform that does not exist', async () => {
    const error = await failure(BASE.replace('[trim]', '[trim, lowr]'));
    expect(error.message).toBe(
      'mapping.email.transform[1] must be one of: trim, lower, upper, collapse; got "lowr" (did you mean "lower"?)',
    );
    expect(error.context.line).toBe(11);
  });

  it('a mapping node of the wrong kind', async () => {
    const error = await failure(BASE.replace('  sourceId: { from: id }', '  sourceId: 12'));
    expect(error.message).toMatch(/^mapping.sourceId must be a column name, a field spec .*; got 12$/);
    expect(error.context.line).toBe(8);
  });

  it('a number below the minimum', async () => {
    const error = await failure(`${BASE}send:\n  concurrency: 0\n`);
    expect(error.message).toBe('send.concurrency must be >= 1; got 0');
    expect(error.context.line).toBe(14);
  });

  it('a size, a duration, a rate and a percentage that do not parse', async () => {
    const cases: [string, RegExp][] = [
      [
        'batch: { size: 10, maxBytes: 2 megabytes }',
        /^batch.maxBytes must be a number of bytes, or a size such as 512kb or 2mb .*; got "2 megabytes"$/,
      ],
      ['send: { timeout: soon }', /^send.timeout must be a number of seconds, or a duration such as 500ms, 60s or 2m; got "soon"$/],
      [
        'send: { rate: 20 per second }',
        /^send.rate must be a number of requests per second, or a rate such as 20\/s or 600\/m; got "20 per second"$/,
      ],
      ['errors: { maxRejects: lots }', /^errors.maxRejects must be a count of records .*; got "lots"$/],
      ['errors: { maxRejects: 150% }', /^errors.maxRejects: a percentage must be at most 100%, got "150%"$/],
      ['send: { timeout: 0s }', /^send.timeout: a duration must be at least 1ms, got "0s"$/],
      ['send: { rate: 0/s }', /^send.rate: a rate must be more than 0, got "0\/s"$/],
    ];
    for (const [line, message] of cases) {
      const error = await failure(BASE.replace('batch: { size: 10 }', line));
      expect(error.message).toMatch(message);
      expect(error.context.line).toBe(12);
    }
  });

  it('a value that fits none of the allowed forms says which forms there are', async () => {
    const error = await failure(BASE.replace('    delimiter: ";"', '    headers: 3'));
    expect(error.message).toBe(
      'source.csv.headers must be true or false (whether the first line names the columns), or a list of column names for a file without a header line; got 3',
    );
    expect(error.context.line).toBe(6);
  });

  it('reports the problem that comes first in the file', async () => {
    const error = await failure(`${BASE.replace('resource: users', 'resource: 5')}send: { concurrency: x }\n`);
    expect(error.context.line).toBe(2);
  });

  it('a missing required key names the key and the line of its parent', async () => {
    const error = await failure(BASE.replace('  path: in.csv\n', ''));
    expect(error.message).toBe('missing required key "path" in source');
    expect(error.context.line).toBe(3);
  });

  it('a missing top-level key', async () => {
    const error = await failure(BASE.replace('name: t\n', ''));
    expect(error.message).toBe('missing required key "name" at the top level');
  });

  it('a name that cannot be a folder name', async () => {
    for (const name of ['../up', '..', 'a b']) {
      const error = await failure(BASE.replace('name: t', `name: "${name}"`));
      expect(error.message).toMatch(/^name must be made of letters, digits/);
      expect(error.context.line).toBe(1);
    }
  });

  it('a field spec with a constant of the wrong kind', async () => {
    const error = await failure(BASE.replace('  sourceId: { from: id }', '  sourceId: { from: id, default: [1] }'));
    expect(error.message).toBe('mapping.sourceId.default must be a text, a number or true/false; got a list');
  });
});

describe('directives', () => {
  it('are refused for users', async () => {
    const error = await failure(`${BASE}directives:\n  skipMoveOnUpdate: true\n`);
    expect(error.message).toBe('directives are only for resource usergroups (this pipeline imports users)');
    expect(error.context.line).toBe(13);
  });

  it('name only usergroup fields', async () => {
    const groups = BASE.replace('resource: users', 'resource: usergroups');
    const error = await failure(`${groups}directives:\n  skipIfNotEmpty:\n    - name\n    - email\n`);
    expect(error.message).toMatch(/^directives.skipIfNotEmpty\[1\] must be one of: name, language, parent, .*; got "email"$/);
    expect(error.context.line).toBe(16);
  });

  it('suggest the field meant', async () => {
    const groups = BASE.replace('resource: users', 'resource: usergroups');
    const error = await failure(`${groups}directives: { skipIfNotEmpty: [compnay] }\n`);
    expect(error.message).toMatch(/got "compnay" \(did you mean "company"\?\)$/);
  });

  it('type skipMoveOnUpdate as a boolean', async () => {
    const groups = BASE.replace('resource: users', 'resource: usergroups');
    const error = await failure(`${groups}directives: { skipMoveOnUpdate: yes }\n`);
    expect(error.message).toBe('directives.skipMoveOnUpdate must be true or false; got "yes"');
  });
});

describe('files that are not pipelines', () => {
  it('a YAML syntax error, with its line', async () => {
    const error = await failure('name: t\nsource: [a, b\nresource: users\n');
    expect(error.context.line).toBe(3);
    expect(error.message).not.toContain('\n');
  });

  it('a duplicate key', async () => {
    const error = await failure('name: t\nname: u\n');
    expect(error.message).toMatch(/unique/);
    expect(error.context.line).toBe(2);
  });

  it('an empty file', async () => {
    expect((await failure('# nothing\n')).message).toBe('the file is empty');
  });

  it('a list instead of a mapping', async () => {
    expect((await failure('- a\n- b\n')).message).toMatch(/must hold a mapping/);
  });

  it('a missing file', async () => {
    const error = await configError(loadRunFile('/nonexistent/folder/p.yaml'));
    expect(error.message).toBe('file not found');
    expect(error.context.file).toBe('/nonexistent/folder/p.yaml');
  });

  it('an unsupported extension', async () => {
    const file = write('p.txt', BASE);
    expect((await configError(loadRunFile(file))).message).toMatch(/\.yaml, \.yml or \.json/);
  });
});

describe('YAML that is not plain data: exit 2 with one line, never an internal error (issue 25)', () => {
  it('an alias bomb is refused before it expands', async () => {
    const bomb = [
      'x: &a [l, l, l, l, l, l, l, l, l]',
      'y: &b [*a, *a, *a, *a, *a, *a, *a, *a, *a]',
      'z: &c [*b, *b, *b, *b, *b, *b, *b, *b, *b]',
      'w: [*c, *c, *c, *c, *c, *c, *c, *c, *c]',
    ].join('\n');
    const error = await failure(`${BASE}${bomb}\n`);
    expect(error.message).toBe('the file expands its aliases (*name) more than 100 times; write the values out');
  });

  it('!!binary, !!timestamp, !!js/function and custom tags are refused with their line', async () => {
    for (const [value, shown] of [
      ['!!binary aGVsbG8=', '!!binary'],
      ['!!timestamp 2026-12-05', '!!timestamp'],
      ['!!js/function "function () {}"', '!!js/function'],
      ['!thing x', '!thing'],
    ] as const) {
      const error = await failure(BASE.replace('name: t', `name: t\ndescription: ${value}`));
      expect(error.message).toBe(
        `the tag ${shown} is not allowed: a pipeline file holds plain data (text, numbers, booleans, lists, maps)`,
      );
      expect(error.context.line).toBe(2);
    }
  });

  it("the core schema's tags stay allowed: !!str keeps a value text", async () => {
    const file = write('str.yaml', BASE.replace('sourceId: { from: id }', 'sourceId: { from: id }\n  source: { value: !!str 007 }'));
    const spec = await loadPipeline(file);
    expect(spec.mapping.source).toEqual({ value: '007' });
  });
});
