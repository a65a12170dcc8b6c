import { readdirSync, readFileSync, statSync } from 'node:fs';
import { dirname, join, normalize, relative } from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';

// The layering ARCHITECTURE.md's "The tree" draws, held against the code's own imports (type-only
// imports included: they tie files together for a reader as much as any other).
const ROOT = fileURLToPath(new URL('../../', import.meta.url));

function files(dir: string): string[] {
  return readdirSync(dir).flatMap((name) => {
    const path = join(dir, name);
    return statSync(path).isDirectory() ? files(path) : path.endsWith('.ts') ? [path] : [];
  });
}

/** file -> the files of src it imports statically (`import … from`, `export … from`). */
function importGraph(): Map<string, string[]> {
  const graph = new Map<string, string[]>();
  for (const path of files(join(ROOT, 'src'))) {
    const text = readFileSync(path, 'utf8');
    const targets = [...text.matchAll(/^(?:import|export)\s[^'"]*?from\s+'(\.[^']+)'/gm)].map((m) =>
      relative(ROOT, normalize(join(dirname(path), (m[1] as string).replace(/\.js$/, '.ts')))),
    );
    graph.set(relative(ROOT, path), targets);
  }
  return graph;
}

const graph = importGraph();
const folder = (file: string): string =>
  file
    .split('/')
    .slice(1, file.startsWith('src/stages/') ? 3 : 2)
    .join('/');

describe('layers', () => {
  it('no import circle between files', () => {
    const state = new Map<string, 'open' | 'done'>();
    const circles: string[] = [];
    const visit = (file: string, path: string[]): void => {
      if (state.get(file) === 'done') return;
      if (state.get(file) === 'open') {
        circles.push([...path.slice(path.indexOf(file)), file].join(' -> '));
        return;
      }
      state.set(file, 'open');
      for (const next of graph.get(file) ?? []) visit(next, [...path, file]);
      state.set(file, 'done');
    };
    for (const file of graph.keys()) visit(file, []);
    expect(circles).toEqual([]);
  });

  it('no import circle between folders (the stages count one each)', () => {
    const edges = new Map<string, Set<string>>();
    for (const [file, targets] of graph) {
      for (const t of targets)
        if (folder(file) !== folder(t)) (edges.get(folder(file)) ?? edges.set(folder(file), new Set()).get(folder(file)))?.add(folder(t));
    }
    const reaches = (from: string, to: string, seen = new Set<string>()): boolean => {
      for (const next of edges.get(from) ?? []) {
        if (next === to) return true;
        if (!seen.has(next) && (seen.add(next), reaches(next, to, seen))) return true;
      }
      return false;
    };
    const back = [...edges].flatMap(([a, targets]) => [...targets].filter((b) => reaches(b, a)).map((b) => `${a} <-> ${b}`));
    expect(back).toEqual([]);
  });

  it('core is the ground: it imports nothing of src outside core', () => {
    const out = [...graph].flatMap(([file, targets]) =>
      file.startsWith('src/core/') ? targets.filter((t) => !t.startsWith('src/core/')).map((t) => `${file} -> ${t}`) : [],
    );
    expect(out).toEqual([]);
  });

  it('the emulator is apart: production code loads it only by a dynamic import where a target is connected (types aside)', () => {
    const out: string[] = [];
    for (const path of files(join(ROOT, 'src'))) {
      const file = relative(ROOT, path);
      if (file.startsWith('src/emulator/') || file === 'src/index.ts') continue;
      // A value import (neither `import type` nor only `type` names in braces) of an emulator module.
      for (const m of readFileSync(path, 'utf8').matchAll(/^import\s+(?!type\s)([^'"]*?)from\s+'([^']*emulator\/[^']+)'/gm)) {
        const names = (m[1] as string)
          .replace(/[{}\s]/g, ' ')
          .split(',')
          .map((n) => n.trim())
          .filter((n) => n !== '');
        if (names.some((n) => !n.startsWith('type '))) out.push(`${file} -> ${m[2]}`);
      }
    }
    expect(out).toEqual([]);
  });
});
