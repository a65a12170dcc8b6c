import { stat } from 'node:fs/promises';

/** Whether something is at `path`; any error (missing, no permission) counts as not there. */
export async function pathExists(path: string): Promise<boolean> {
  try {
    await stat(path);
    return true;
  } catch {
    return false;
  }
}
