import { chmodSync, closeSync, lstatSync, mkdirSync, openSync, readdirSync } from 'node:fs';
import { join } from 'node:path';

/**
 * The local endpoint's data folder holds the directory (names, e-mails) and the token: it is
 * readable by its owner only, whatever the umask. Folders are 0700 and files 0600.
 */
export const PRIVATE_DIR_MODE = 0o700;
export const PRIVATE_FILE_MODE = 0o600;

/**
 * Creates `dir` (and its parents) if needed and makes it, and everything already inside it,
 * private: a data folder written by an earlier version with 0755/0644 is tightened at start.
 * Symbolic links are left alone (their targets are not ours to change).
 */
export function makePrivate(dir: string): void {
  mkdirSync(dir, { recursive: true, mode: PRIVATE_DIR_MODE });
  const pending = [dir];
  while (pending.length > 0) {
    const current = pending.pop()!;
    chmodSync(current, PRIVATE_DIR_MODE);
    for (const entry of readdirSync(current, { withFileTypes: true })) {
      const path = join(current, entry.name);
      if (entry.isDirectory()) pending.push(path);
      else if (entry.isFile()) chmodSync(path, PRIVATE_FILE_MODE);
    }
  }
}

/** Creates `file` empty with mode 0600 unless it exists; an existing one is made 0600. */
export function privateFile(file: string): void {
  try {
    if (lstatSync(file).isFile()) chmodSync(file, PRIVATE_FILE_MODE);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
    closeSync(openSync(file, 'a', PRIVATE_FILE_MODE));
  }
}
