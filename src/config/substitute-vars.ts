/**
 * `${VAR}` and `${VAR:-fallback}` in the string values of pipeline and target files.
 * `$${` is a literal `${`. Variables come from `--var KEY=VALUE` first, then the environment.
 */

import { ConfigError } from '../core/errors.js';

/** The value of a variable, or undefined when it is not set. */
export type VarLookup = (name: string) => string | undefined;

/** Why a string could not be substituted; the caller adds where (file, line). */
export class SubstitutionError extends Error {
  /** The variable that is not set, when that is the reason. */
  readonly variable: string | undefined;
  constructor(message: string, variable?: string) {
    super(message);
    this.name = 'SubstitutionError';
    this.variable = variable;
  }
}

const NAME = /^[A-Za-z_][A-Za-z0-9_]*$/;

export function varLookup(vars: Readonly<Record<string, string>> = {}, env: NodeJS.ProcessEnv = {}): VarLookup {
  return (name) => (Object.prototype.hasOwnProperty.call(vars, name) ? vars[name] : env[name]);
}

/** True when the text has anything to substitute or unescape, so untouched strings can be skipped cheaply. */
export function hasReferences(text: string): boolean {
  return text.includes('${');
}

export interface Substituted {
  text: string;
  /** The variables the text referred to, in order. */
  variables: string[];
}

/**
 * Replaces every reference in `text`. A fallback applies when the variable is unset or empty
 * (as in the shell); a reference without fallback to an unset variable is an error.
 */
export function substitute(text: string, lookup: VarLookup): Substituted {
  let out = '';
  const variables: string[] = [];
  let i = 0;
  while (i < text.length) {
    const dollar = text.indexOf('$', i);
    if (dollar < 0) {
      out += text.slice(i);
      break;
    }
    out += text.slice(i, dollar);
    if (text.startsWith('$${', dollar)) {
      out += '${';
      i = dollar + 3;
      continue;
    }
    if (!text.startsWith('${', dollar)) {
      out += '$';
      i = dollar + 1;
      continue;
    }
    const close = text.indexOf('}', dollar + 2);
    if (close < 0) throw new SubstitutionError(`unterminated "\${" (write $\${ for a literal \${)`);
    const body = text.slice(dollar + 2, close);
    const sep = body.indexOf(':-');
    const name = sep < 0 ? body : body.slice(0, sep);
    if (!NAME.test(name)) throw new SubstitutionError(`"\${${body}}" is not a variable reference (names are letters, digits and _)`);
    variables.push(name);
    const value = lookup(name);
    if (sep >= 0) out += value === undefined || value === '' ? body.slice(sep + 2) : value;
    else if (value === undefined) throw new SubstitutionError(`${name} is not set`, name);
    else out += value;
    i = close + 1;
  }
  return { text: out, variables };
}

/** `KEY=VALUE` strings (from repeated `--var`) as a record; the value may itself contain `=`. */
export function parseVarAssignments(assignments: readonly string[]): Record<string, string> {
  const vars: Record<string, string> = {};
  for (const assignment of assignments) {
    const eq = assignment.indexOf('=');
    const name = eq < 0 ? assignment : assignment.slice(0, eq);
    // Only the name is echoed: the value may be a secret.
    if (eq < 0 || !NAME.test(name)) throw new ConfigError(`--var expects KEY=VALUE with KEY made of letters, digits and _; got "${name}"`);
    vars[name] = assignment.slice(eq + 1);
  }
  return vars;
}
