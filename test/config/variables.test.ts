import { describe, expect, it } from 'vitest';
import { loadPipeline, parseVarAssignments, substitute, varLookup } from '../../src/config/index.js';
import { ConfigError } from '../../src/core/errors.js';
import { configError } from './helpers.js';
import { tempFiles } from '../support/files.js';

const write = tempFiles('propel-etl-config-');

const pipeline = (lines: string): string => `name: t
resource: users
source:
  path: \${DATA_DIR}/in.csv
mapping:
  sourceId: { from: id }
${lines}`;

describe('substitute (pure)', () => {
  const lookup = varLookup({ A: 'from-var', EMPTY: '' }, { A: 'from-env', B: 'env-only' });

  it('takes --var before the environment, and the environment otherwise', () => {
    expect(substitute('${A}/${B}', lookup)).toEqual({ text: 'from-var/env-only', variables: ['A', 'B'] });
  });

  it('uses the fallback when the variable is unset or empty', () => {
    expect(substitute('${NOPE:-x:y}|${EMPTY:-fb}|${A:-fb}|${NOPE:-}', lookup).text).toBe('x:y|fb|from-var|');
  });

  it('keeps an empty variable without fallback empty', () => {
    expect(substitute('[${EMPTY}]', lookup).text).toBe('[]');
  });

  it('escapes $${ and leaves other dollars alone', () => {
    expect(substitute('$${A} costs $5 and $$ ${B}', lookup).text).toBe('${A} costs $5 and $$ env-only');
  });

  it('refuses an unset variable, an unterminated reference and a bad name', () => {
    expect(() => substitute('${MISSING}', lookup)).toThrow('MISSING is not set');
    expect(() => substitute('${A', lookup)).toThrow(/unterminated/);
    expect(() => substitute('${1A}', lookup)).toThrow(/not a variable reference/);
  });

  it('parses --var assignments, keeping = in values and never echoing a value', () => {
    expect(parseVarAssignments(['A=1', 'B=x=y', 'C='])).toEqual({ A: '1', B: 'x=y', C: '' });
    expect(() => parseVarAssignments(['noequals'])).toThrow(ConfigError);
    const error = (() => {
      try {
        parseVarAssignments(['1BAD=s3cret-value']);
      } catch (e) {
        return e as Error;
      }
      return undefined;
    })();
    expect(error?.message).toContain('1BAD');
    expect(error?.message).not.toContain('s3cret-value');
  });
});

describe('${VAR} in pipeline files', () => {
  it('substitutes from vars, which win over the environment', async () => {
    const file = write('vars.yaml', pipeline(''));
    const spec = await loadPipeline(file, { vars: { DATA_DIR: '/from/var' }, env: { DATA_DIR: '/from/env' } });
    expect(spec.source.path).toBe('/from/var/in.csv');
  });

  it('substitutes from the environment', async () => {
    const file = write('env.yaml', pipeline(''));
    expect((await loadPipeline(file, { env: { DATA_DIR: '/from/env' } })).source.path).toBe('/from/env/in.csv');
  });

  it('uses fallbacks, in mapping constants too', async () => {
    const file = write('fallback.yaml', pipeline('  source: { value: "${SOURCE:-ERP}" }\n'));
    const spec = await loadPipeline(file, { env: { DATA_DIR: 'd' } });
    expect(spec.mapping.source).toEqual({ value: 'ERP' });
  });

  it('gives a plain value that is one reference the type of its text (numbers, true/false)', async () => {
    const file = write('typed.yaml', pipeline('batch:\n  size: ${SIZE:-500}\nsend:\n  concurrency: ${CONC}\n  timeout: "${T}"\n'));
    const spec = await loadPipeline(file, { vars: { CONC: '2', T: '30' }, env: { DATA_DIR: 'd' } });
    expect(spec.batch.size).toBe(500);
    expect(spec.send.concurrency).toBe(2);
    // A quoted value stays text; "30" is a duration in seconds.
    expect(spec.send.timeoutMs).toBe(30_000);
  });

  it('explains the YAML error of an unquoted reference inside { … }', async () => {
    const file = write('flow.yaml', pipeline('batch: { size: ${SIZE} }\n'));
    const error = await configError(loadPipeline(file, { env: { DATA_DIR: 'd' } }));
    expect(error.message).toMatch(/quote a value that uses \$\{VAR\}/);
    expect(error.context.line).toBe(7);
  });

  it('keeps $${ as a literal ${', async () => {
    const file = write('escape.yaml', pipeline('  company: { value: "cost $${PRICE}" }\n'));
    expect((await loadPipeline(file, { env: { DATA_DIR: 'd' } })).mapping.company).toEqual({ value: 'cost ${PRICE}' });
  });

  it('names a missing variable and its line', async () => {
    const file = write('missing.yaml', pipeline(''));
    const error = await configError(loadPipeline(file, { env: {} }));
    expect(error.message).toBe('DATA_DIR is not set (in source.path; pass --var DATA_DIR=VALUE or set it in the environment)');
    expect(error.context).toMatchObject({ file, line: 4 });
  });

  it('never echoes a substituted value in an error', async () => {
    const file = write('secret.yaml', pipeline('resourceX: 1\n').replace('resource: users', 'resource: ${RES}'));
    const error = await configError(loadPipeline(file, { vars: { RES: 'hunter2-secret' }, env: { DATA_DIR: 'd' } }));
    expect(error.message).toBe('resource must be one of: users, usergroups; got a value from a ${VAR} (not shown)');
    expect(error.context.line).toBe(2);
  });

  it('never echoes a substituted value that fails normalisation', async () => {
    const file = write('secret-size.yaml', pipeline('batch: { maxBytes: "${MB}" }\n'));
    const error = await configError(loadPipeline(file, { vars: { MB: '0kb' }, env: { DATA_DIR: 'd' } }));
    expect(error.message).toBe('batch.maxBytes is not valid; got a value from a ${VAR} (not shown)');
  });
});
