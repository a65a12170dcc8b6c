/**
 * A YAML or JSON file parsed with source positions, so every later complaint (schema, values,
 * variables) can name the line it is about. JSON is parsed by the YAML parser too: JSON is
 * YAML 1.2, and one parser means one way to find lines.
 */
import { readFile } from 'node:fs/promises';
import { Document, LineCounter, isAlias, isMap, isScalar, isSeq, parseDocument, visit, type Node } from 'yaml';
import { ConfigError } from '../core/errors.js';
import { formatKeyPath, type KeyPath } from './key-path.js';
import { SubstitutionError, hasReferences, substitute, type VarLookup } from './substitute-vars.js';

/** Expansions of `*alias` a file may make: enough for a shared block or two, far short of a bomb. */
const MAX_ALIAS_COUNT = 100;

/**
 * The tags a pipeline file may use: YAML's core schema (a `!!str 007` to keep a value text). Any
 * other (`!!binary`, `!!timestamp`, `!!js/function`, a custom `!thing`) would make the data
 * something other than strings, numbers, booleans, lists and maps, or be taken silently as a string.
 */
const CORE_TAGS = new Set(['str', 'int', 'float', 'bool', 'null', 'map', 'seq'].map((t) => `tag:yaml.org,2002:${t}`));

function refuseTags(doc: Document, lines: LineCounter, file: string): void {
  visit(doc, {
    Node(_key, node) {
      if (node.tag === undefined || CORE_TAGS.has(node.tag)) return;
      const shown = node.tag.replace(/^tag:yaml\.org,2002:/, '!!');
      const pos = node.range !== undefined && node.range !== null ? lines.linePos(node.range[0]) : undefined;
      throw new ConfigError(`the tag ${shown} is not allowed: a pipeline file holds plain data (text, numbers, booleans, lists, maps)`, {
        file,
        ...(pos !== undefined ? { line: pos.line, column: pos.col } : {}),
      });
    },
  });
}

/** Plain (unquoted) YAML scalars that are exactly one reference take the type of what they expand to. */
const NUMBER = /^-?\d+(\.\d+)?$/;

export class SourceDocument {
  readonly file: string;
  private readonly doc: Document.Parsed;
  private readonly lines: LineCounter;
  private readonly substituted = new WeakSet<Node>();

  private constructor(file: string, doc: Document.Parsed, lines: LineCounter) {
    this.file = file;
    this.doc = doc;
    this.lines = lines;
  }

  /** Parses text; a syntax error is a ConfigError with its line. */
  static parse(text: string, file: string): SourceDocument {
    const lines = new LineCounter();
    const doc = parseDocument(text, { lineCounter: lines, prettyErrors: true, uniqueKeys: true });
    const error = doc.errors[0];
    if (error !== undefined) {
      // The first line only: the rest is a snippet of the file, which the CLI's one-line message does not want.
      const what = (error.message.split('\n')[0] ?? error.message).replace(/ at line \d+, column \d+:?$/, '');
      const pos = error.linePos?.[0];
      // `{ size: ${N} }` is the usual culprit: braces end a plain value inside { … }.
      const lineText = pos !== undefined ? (text.split('\n')[pos.line - 1] ?? '') : '';
      const hint = lineText.includes('${') ? ' (inside { … } or [ … ], quote a value that uses ${VAR}: "${VAR}")' : '';
      throw new ConfigError(what + hint, { file, line: pos?.line, column: pos?.col });
    }
    refuseTags(doc, lines, file);
    return new SourceDocument(file, doc, lines);
  }

  static async read(file: string): Promise<SourceDocument> {
    let text: string;
    try {
      text = await readFile(file, 'utf8');
    } catch (e) {
      const code = (e as NodeJS.ErrnoException).code;
      throw new ConfigError(code === 'ENOENT' ? 'file not found' : `cannot read the file (${code ?? String(e)})`, { file });
    }
    return SourceDocument.parse(text.replace(/^\uFEFF/, ''), file);
  }

  /** The document as plain data (after substitution). Aliases are expanded, bounded against alias bombs. */
  toData(): unknown {
    try {
      return this.doc.toJS({ maxAliasCount: MAX_ALIAS_COUNT });
    } catch (e) {
      // The yaml library's guard against a document that expands exponentially (an alias bomb).
      if (e instanceof Error && /alias count/i.test(e.message)) {
        throw new ConfigError(`the file expands its aliases (*name) more than ${MAX_ALIAS_COUNT} times; write the values out`, {
          file: this.file,
        });
      }
      throw e;
    }
  }

  /**
   * Replaces `${VAR}` references in the string values at and under `under` (keys are left alone).
   * A missing variable is a ConfigError naming it and its line.
   */
  /**
   * `howToSet` completes the message for an undefined variable: pipeline files take `--var` too,
   * targets only the environment (a secret on a command line would show in `ps`).
   */
  substitute(
    lookup: VarLookup,
    under: KeyPath = [],
    howToSet: (variable: string) => string = (v) => `pass --var ${v}=VALUE or set it in the environment`,
  ): void {
    const start = this.nodeAt(under).value;
    if (start !== undefined) this.substituteNode(start, [...under], lookup, howToSet);
  }

  /** True when the value at `path` came out of a substitution; messages must not echo it (it may be a secret). */
  isSubstituted(path: KeyPath): boolean {
    const { value } = this.nodeAt(path);
    return value !== undefined && this.substituted.has(value);
  }

  /**
   * The 1-based line of the value (or of its key) at `path`. When the path does not exist
   * (a missing key), the line of its nearest existing ancestor.
   */
  lineOf(path: KeyPath, at: 'key' | 'value' = 'value'): number | undefined {
    const found = this.nodeAt(path);
    const node = at === 'key' ? (found.key ?? found.value) : (found.value ?? found.key);
    const offset = node?.range?.[0];
    return offset === undefined ? undefined : this.lines.linePos(offset).line;
  }

  /** Source offset of the value at `path` (or its nearest ancestor): orders problems as they appear in the file. */
  offsetOf(path: KeyPath): number {
    const found = this.nodeAt(path);
    return (found.key ?? found.value)?.range?.[0] ?? 0;
  }

  private nodeAt(path: KeyPath): { key?: Node; value?: Node } {
    let current: Node | undefined = this.resolve(this.doc.contents ?? undefined);
    let key: Node | undefined;
    for (const segment of path) {
      if (isMap(current)) {
        const pair = current.items.find((p) => String(isScalar(p.key) ? p.key.value : p.key) === String(segment));
        if (pair === undefined) break;
        key = isScalar(pair.key) ? pair.key : undefined;
        const value = this.resolve(pair.value ?? undefined);
        if (value === undefined) return { key };
        current = value;
      } else if (isSeq(current) && typeof segment === 'number') {
        const item = this.resolve(current.items[segment] ?? undefined);
        if (item === undefined) break;
        key = undefined;
        current = item;
      } else {
        break;
      }
    }
    return { key, value: current };
  }

  private resolve(node: unknown): Node | undefined {
    if (isAlias(node)) return node.resolve(this.doc) ?? undefined;
    return isMap(node) || isSeq(node) || isScalar(node) ? node : undefined;
  }

  private substituteNode(node: Node, path: (string | number)[], lookup: VarLookup, howToSet: (variable: string) => string): void {
    if (isMap(node)) {
      for (const pair of node.items) {
        const key = isScalar(pair.key) ? String(pair.key.value) : String(pair.key);
        if (isMap(pair.value) || isSeq(pair.value) || isScalar(pair.value))
          this.substituteNode(pair.value, [...path, key], lookup, howToSet);
      }
    } else if (isSeq(node)) {
      node.items.forEach((item, index) => {
        if (isMap(item) || isSeq(item) || isScalar(item)) this.substituteNode(item, [...path, index], lookup, howToSet);
      });
    } else if (isScalar(node) && typeof node.value === 'string' && hasReferences(node.value)) {
      const source = node.value;
      let text: string;
      try {
        text = substitute(source, lookup).text;
      } catch (e) {
        if (!(e instanceof SubstitutionError)) throw e;
        const hint = e.variable !== undefined ? `; ${howToSet(e.variable)}` : '';
        throw new ConfigError(`${e.message} (in ${formatKeyPath(path)}${hint})`, {
          file: this.file,
          line: this.lineOf(path),
          key: formatKeyPath(path),
        });
      }
      this.substituted.add(node);
      const whole = /^\$\{[^}]*\}$/.test(source.trim());
      if (node.type === 'PLAIN' && whole && NUMBER.test(text)) node.value = Number(text);
      else if (node.type === 'PLAIN' && whole && (text === 'true' || text === 'false')) node.value = text === 'true';
      else node.value = text;
    }
  }
}
