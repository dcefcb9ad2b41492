/**
 * A state folder the current user cannot create, read or write is the commonest slip of a Jeedom
 * install (scénarios run as www-data, whose HOME is often not writable; a folder created by a run
 * under sudo belongs to root). It is never a bug: one line saying which user, which folder, and
 * the two ways out (give the folder to that user, or point JEELINKY_STATE_DIR elsewhere).
 */
import fs from 'node:fs';
import os from 'node:os';
import { StateError } from '../errors.js';

/** Error codes that mean "this user cannot use this place", as opposed to a damaged file. */
const ACCESS_CODES = new Set(['EACCES', 'EPERM', 'ENOTDIR', 'EEXIST', 'EISDIR', 'EROFS']);

export function isAccessProblem(e: unknown): boolean {
  return ACCESS_CODES.has((e as NodeJS.ErrnoException | undefined)?.code ?? '');
}

/** The name the process runs as (www-data, nobody…), or its uid when it has none. */
export function currentUser(): string {
  try {
    return os.userInfo().username;
  } catch {
    return `uid ${process.getuid?.() ?? '?'}`;
  }
}

/**
 * The one-line StateError for a state folder `dir` that cannot be used for `doing` (create, read,
 * write, lock). `e` is the file-system error (its code picks the advice).
 */
export function stateAccessError(dir: string, doing: 'create' | 'read' | 'write' | 'lock', e: unknown): StateError {
  const code = (e as NodeJS.ErrnoException | undefined)?.code ?? '';
  const user = currentUser();
  const setDir = `set JEELINKY_STATE_DIR to a folder ${user} owns`;
  let why: string;
  let fix: string;
  if (code === 'ENOTDIR' || code === 'EEXIST' || code === 'EISDIR') {
    why = 'a file stands where a folder is expected';
    fix = `move that file away, or ${setDir}`;
  } else if (code === 'EROFS') {
    why = 'read-only file system';
    fix = setDir;
  } else if (code === 'EACCES' || code === 'EPERM') {
    why = 'permission denied';
    fix = fs.existsSync(dir)
      ? `${setDir}, or give this one to ${user} (sudo chown -R ${user} ${dir})`
      : `${setDir}, or create this one for ${user} (sudo mkdir -p ${dir} && sudo chown ${user} ${dir})`;
  } else {
    // ENOSPC, EIO…: not a permission slip, but still something a person must look at.
    why = code || 'file-system error';
    fix = `free disk space or check the disk, or ${setDir}`;
  }
  return new StateError(`cannot ${doing} the state folder ${dir} as user ${user} (${why}): ${fix}`, 'state_unwritable', e);
}
