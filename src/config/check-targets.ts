/**
 * The mapping's target fields against the resource's item schema (schemas/), when the pipeline
 * is loaded: a misspelt `firstname:` would otherwise pass every check and have each record
 * rejected at validate. Walks the same schema files the validator and the emulator compile.
 */
import { readFileSync } from 'node:fs';
import { ConfigError } from '../core/errors.js';
import type { ResourceName } from '../core/resource.js';
import { walkMapping } from './walk-mapping.js';
import { didYouMean } from './did-you-mean.js';
import { formatKeyPath, type KeyPath } from './key-path.js';
import type { SourceDocument } from './load-document.js';
import type { MappingObject } from './pipeline-spec.js';

const SCHEMAS = new URL('../../schemas/', import.meta.url);
const ITEM_FILES: Readonly<Record<ResourceName, string>> = { users: 'users.item.schema.json', usergroups: 'usergroups.item.schema.json' };

interface SchemaNode {
  $ref?: string;
  properties?: Record<string, SchemaNode>;
  items?: SchemaNode;
  then?: SchemaNode;
  else?: SchemaNode;
}

const files = new Map<string, SchemaNode & { definitions?: Record<string, SchemaNode> }>();

function schemaFile(name: string): SchemaNode & { definitions?: Record<string, SchemaNode> } {
  let doc = files.get(name);
  if (doc === undefined) {
    doc = JSON.parse(readFileSync(new URL(name, SCHEMAS), 'utf8')) as SchemaNode & { definitions?: Record<string, SchemaNode> };
    files.set(name, doc);
  }
  return doc;
}

/** Follows `$ref`s (`propel-common.schema.json#/definitions/x` or `#/definitions/x`) from a node in `file`. */
function deref(node: SchemaNode, file: string): { node: SchemaNode; file: string } {
  let current = node;
  let at = file;
  for (let guard = 0; current.$ref !== undefined && guard < 10; guard++) {
    const [target = '', fragment = ''] = current.$ref.split('#');
    if (target !== '') at = target;
    const name = fragment.replace(/^\/definitions\//, '');
    const found = schemaFile(at).definitions?.[name];
    if (found === undefined) break;
    current = found;
  }
  return { node: current, file: at };
}

/** The keys an object node allows: its properties and those of its if/then/else branches. */
function propertiesOf(node: SchemaNode, file: string): Map<string, { node: SchemaNode; file: string }> {
  const out = new Map<string, { node: SchemaNode; file: string }>();
  const add = (n: SchemaNode | undefined, from: string): void => {
    if (n === undefined) return;
    const d = deref(n, from);
    for (const [k, v] of Object.entries(d.node.properties ?? {})) if (!out.has(k)) out.set(k, { node: v, file: d.file });
  };
  const own = deref(node, file);
  add(own.node, own.file);
  add(own.node.then, own.file);
  add(own.node.else, own.file);
  return out;
}

/** The schema node at a mapping path (object keys and list indexes), or undefined when the schema does not go there. */
function nodeAt(resource: ResourceName, path: KeyPath): { node: SchemaNode; file: string } | undefined {
  const file = ITEM_FILES[resource];
  let at: { node: SchemaNode; file: string } | undefined = { node: schemaFile(file), file };
  for (const segment of path) {
    if (at === undefined) return undefined;
    if (typeof segment === 'number') {
      const d = deref(at.node, at.file);
      at = d.node.items !== undefined ? { node: d.node.items, file: d.file } : undefined;
    } else {
      at = propertiesOf(at.node, at.file).get(segment);
    }
  }
  return at;
}

/** Throws a ConfigError for the first mapping key (in file order) that the resource's items do not have. */
export function checkTargetFields(doc: SourceDocument, resource: ResourceName, mapping: MappingObject): void {
  for (const part of walkMapping(mapping)) {
    if (part.kind !== 'object') continue;
    const at = nodeAt(resource, part.path);
    if (at === undefined) continue;
    const known = propertiesOf(at.node, at.file);
    // A target that is no object in Propel (a nested mapping under `email:`) is the validator's to word.
    if (known.size === 0) continue;
    for (const key of part.keys) {
      if (known.has(key)) continue;
      const keyPath = ['mapping', ...part.path, key];
      const suggestion = didYouMean(key, known.keys());
      const where = part.path.length === 0 ? `a ${resource === 'users' ? 'user' : 'usergroup'}` : formatKeyPath(['mapping', ...part.path]);
      const hint = suggestion !== undefined ? ` (did you mean "${suggestion}"?)` : ` (known: ${[...known.keys()].join(', ')})`;
      throw new ConfigError(`mapping: "${key}" is not a field of ${where} in Propel${hint}`, {
        file: doc.file,
        line: doc.lineOf(keyPath, 'key'),
        key: formatKeyPath(keyPath),
      });
    }
  }
}
