/** The string transforms a field spec can name, composed once per field. */
import type { TransformName } from '../../config/pipeline-spec.js';
import { ConfigError } from '../../core/errors.js';

export type StringTransform = (s: string) => string;

const WHITESPACE_RUN = /\s+/g;

export const TRANSFORMS: Readonly<Record<TransformName, StringTransform>> = {
  trim: (s) => s.trim(),
  lower: (s) => s.toLowerCase(),
  upper: (s) => s.toUpperCase(),
  collapse: (s) => s.replace(WHITESPACE_RUN, ' ').trim(),
};

export const TRANSFORM_NAMES = Object.keys(TRANSFORMS) as readonly TransformName[];

export function isTransformName(name: unknown): name is TransformName {
  return typeof name === 'string' && Object.hasOwn(TRANSFORMS, name);
}

/**
 * One function applying `names` in order. `where` prefixes the ConfigError for an unknown
 * name (e.g. `mapping.email`).
 */
export function compileTransforms(names: readonly unknown[], where = 'transform'): StringTransform {
  const fns: StringTransform[] = names.map((name) => {
    if (!isTransformName(name)) {
      throw new ConfigError(`${where}: unknown transform ${JSON.stringify(name)} (known: ${TRANSFORM_NAMES.join(', ')})`);
    }
    return TRANSFORMS[name];
  });
  if (fns.length === 1) return fns[0] as StringTransform;
  return (s) => {
    let out = s;
    for (let i = 0; i < fns.length; i++) out = (fns[i] as StringTransform)(out);
    return out;
  };
}
