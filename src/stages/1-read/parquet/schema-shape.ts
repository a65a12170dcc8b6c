/**
 * The Parquet schema as the shapes a mapping path walks: a top-level column is a value, a
 * struct (fields by name), a list (elements by index) or a map (values by key). The same
 * shapes decide how values are converted (values.ts) and which paths exist (columns.ts), so
 * both agree with how hyparquet assembles nested columns (its isListLike / isMapLike).
 */
import type { SchemaElement, SchemaTree } from 'hyparquet';
import { isListLike, isMapLike } from 'hyparquet/src/schema.js';

export type Shape =
  | { readonly kind: 'value'; readonly element: SchemaElement }
  | { readonly kind: 'struct'; readonly fields: ReadonlyMap<string, Shape> }
  | { readonly kind: 'list'; readonly element: Shape }
  | { readonly kind: 'map'; readonly value: Shape };

/** The shape of one node, ignoring its own repetition (`shapeOf` adds that). */
function innerShape(node: SchemaTree): Shape {
  if (isListLike(node)) {
    const repeated = node.children[0] as SchemaTree;
    // Three-level lists (list -> repeated group -> element) hold the element one level down.
    const element = repeated.children.length === 1 ? (repeated.children[0] as SchemaTree) : repeated;
    return { kind: 'list', element: element === repeated ? innerShape(repeated) : shapeOf(element) };
  }
  if (isMapLike(node)) {
    const entry = node.children[0] as SchemaTree;
    // A MAP's entry has a key and a value child: the second is there when no child is named value.
    // eslint-disable-next-line @typescript-eslint/no-unnecessary-type-assertion
    const value = entry.children.find((c) => c.element.name === 'value') ?? (entry.children[1] as SchemaTree);
    return { kind: 'map', value: shapeOf(value) };
  }
  if (node.children.length > 0) {
    return { kind: 'struct', fields: new Map(node.children.map((c) => [c.element.name, shapeOf(c)])) };
  }
  return { kind: 'value', element: node.element };
}

/** A node's shape; a bare REPEATED field (no LIST annotation) is a list of it. */
export function shapeOf(node: SchemaTree): Shape {
  const inner = innerShape(node);
  return node.element.repetition_type === 'REPEATED' && !isListLike(node) && !isMapLike(node) ? { kind: 'list', element: inner } : inner;
}

/** A path a mapping can name and, for a value, its schema element (a map's `<key>` has none: its keys are data). */
interface ShapeLeaf {
  readonly path: string;
  readonly element?: SchemaElement;
}

/**
 * Every path a mapping can name, as a mapping writes it (`address.city`, `tags[0]`,
 * `phones[0].number`; a map as `attrs.<key>`), in schema order: for messages and for init.
 */
export function shapeLeaves(name: string, shape: Shape, out: ShapeLeaf[] = []): ShapeLeaf[] {
  switch (shape.kind) {
    case 'value':
      out.push({ path: name, element: shape.element });
      break;
    case 'struct':
      for (const [field, s] of shape.fields) shapeLeaves(`${name}.${field}`, s, out);
      break;
    case 'list':
      shapeLeaves(`${name}[0]`, shape.element, out);
      break;
    case 'map':
      out.push({ path: `${name}.<key>` });
      break;
  }
  return out;
}

export function shapePaths(name: string, shape: Shape): string[] {
  return shapeLeaves(name, shape).map((leaf) => leaf.path);
}
