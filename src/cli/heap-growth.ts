/**
 * How far the CLI lets V8's heap grow past what is live. After each full collection V8 sets the
 * next limit at 1.1 to 4 times the live heap, nearer 4 the more the program allocates and the
 * larger the machine; a run allocates fast (every row is new strings and objects, nearly all
 * dead a batch later) while what is live stays at 20-60 MB, so on a large machine the heap
 * fills with garbage to ~4 times that before V8 collects it, and RSS with it. A fixed factor
 * bounds that by the live heap. It is soft: a run that needs more memory gets it, just with
 * more frequent collections, so unlike a heap cap it can never end a run out of memory.
 *
 * `--heap-growing-percent` is read at every collection, so it can be set from inside the
 * process (no re-exec). The CLI sets it, the library never does (its host's heap is the host's
 * business); a user's own heap flags in NODE_OPTIONS or on node's command line win, and
 * `NODE_OPTIONS=--heap-growing-percent=0` gives V8 back its own heuristics. Where Node can
 * re-execute itself (22.15+), a run caps the young generation instead (young-generation.ts),
 * which costs less CPU there, and the re-executed process has a heap flag, so this is skipped.
 */
import { setFlagsFromString } from 'node:v8';

/** The next heap limit at twice the live heap (see bench/LOG.md, "Heap growth"). */
export const HEAP_GROWING_PERCENT = 100;

/** Node flags by which a user has already chosen how the heap is sized (dashes or underscores, as V8 takes both). */
const USER_HEAP_FLAG =
  /(?:^|\s)--(?:max[-_]old[-_]space[-_]size|max[-_]semi[-_]space[-_]size|max[-_]heap[-_]size|heap[-_]growing[-_]percent|optimize[-_]for[-_]size|initial[-_]heap[-_]size|initial[-_]old[-_]space[-_]size)(?:[=\s]|$)/;

/** Whether the user chose the heap's sizing: NODE_OPTIONS or node's own command-line flags. */
export function userSizedHeap(nodeOptions: string | undefined, execArgv: readonly string[]): boolean {
  return USER_HEAP_FLAG.test(nodeOptions ?? '') || execArgv.some((a) => USER_HEAP_FLAG.test(a));
}

/** Sets the CLI's heap growth unless the user sized the heap; says whether it did. */
export function limitHeapGrowth(nodeOptions = process.env.NODE_OPTIONS, execArgv: readonly string[] = process.execArgv): boolean {
  if (userSizedHeap(nodeOptions, execArgv)) return false;
  setFlagsFromString(`--heap-growing-percent=${HEAP_GROWING_PERCENT}`);
  return true;
}
