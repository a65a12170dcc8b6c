/** `--var KEY=VALUE`, repeatable: the `${KEY}` substitutions of a pipeline file, for every command that reads one. */
import { InvalidArgumentError } from 'commander';

export function parseVar(value: string, acc: Record<string, string>): Record<string, string> {
  const eq = value.indexOf('=');
  if (eq <= 0) throw new InvalidArgumentError(`expected KEY=VALUE, got "${value}"`);
  return { ...acc, [value.slice(0, eq)]: value.slice(eq + 1) };
}
