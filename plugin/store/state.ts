/**
 * Durable state on node-persist: tokens, pairing, readings, retry time, call counters.
 *
 * node-persist writes its files in place; a power cut in the middle would leave half a token file.
 * We keep its key → file layout but route every write through write-file-atomic (write a temporary
 * file, fsync, rename), with files 0600 in a 0700 directory. A file that cannot be parsed is never
 * silently reset: the error names it and says what to do.
 */
import fs from 'node:fs';
import path from 'node:path';
import storage from 'node-persist';
import writeFileAtomic from 'write-file-atomic';
import type { z } from 'zod';
import { StateError } from '../errors.js';
import { durability } from '../probe.js';
import { isAccessProblem, stateAccessError } from './access.js';

/** Disk kept aside for a token that must be saved when the disk fills up (a token file is ~1 kB). */
const RESERVE_BYTES = 64 * 1024;

type LocalStorage = ReturnType<typeof storage.create>;

export class StateStore {
  private constructor(
    readonly dir: string,
    private readonly persist: LocalStorage,
  ) {}

  static async open(dir: string): Promise<StateStore> {
    const dataDir = path.join(dir, 'data');
    try {
      fs.mkdirSync(dataDir, { recursive: true, mode: 0o700 });
      fs.chmodSync(dir, 0o700);
      fs.chmodSync(dataDir, 0o700);
    } catch (e) {
      throw stateAccessError(dir, 'create', e);
    }
    const persist = storage.create({
      dir: dataDir,
      writeQueue: false,
      forgiveParseErrors: false,
      expiredInterval: 0, // no TTLs are used: no background timer
      logging: false,
    });
    try {
      await persist.init();
    } catch (e) {
      throw stateAccessError(dir, 'read', e);
    }
    // Atomic, private writes instead of node-persist's in-place fs.writeFile.
    const internals = persist as unknown as {
      writeFile: (file: string, content: unknown) => Promise<unknown>;
      stringify: (v: unknown) => string;
    };
    internals.writeFile = async (file: string, content: unknown) => {
      await writeFileAtomic(file, internals.stringify(content), { mode: 0o600, fsync: true });
      return { file, content };
    };
    return new StateStore(dir, persist);
  }

  /** Path of the file holding `key` (node-persist names files by a hash of the key). */
  fileOf(key: string): string {
    return (this.persist as unknown as { getDatumPath: (k: string) => string }).getDatumPath(key);
  }

  /** Reads `key` and checks its shape; a damaged file is a StateError naming it. */
  async read<S extends z.ZodTypeAny>(key: string, schema: S): Promise<z.infer<S> | undefined> {
    let value: unknown;
    try {
      value = await this.persist.getItem(key);
    } catch (e) {
      // A file left by a run under another user (sudo) is not damaged: say whose it should be.
      if (isAccessProblem(e)) throw stateAccessError(this.dir, 'read', e);
      throw this.damaged(key, e);
    }
    if (value === undefined) return undefined;
    const parsed = schema.safeParse(value);
    if (!parsed.success) throw this.damaged(key, parsed.error);
    return parsed.data;
  }

  async write(key: string, value: unknown): Promise<void> {
    return this.writeWith(key, value, true);
  }

  private async writeWith(key: string, value: unknown, mayUseReserve: boolean): Promise<void> {
    try {
      try {
        durability.beforeWrite(key);
        await this.persist.setItem(key, value);
      } catch (e) {
        // Disk full: give up the reserve so that this write (a rotated token, maybe) still lands.
        if (!mayUseReserve || (e as NodeJS.ErrnoException).code !== 'ENOSPC' || !this.releaseReserve()) throw e;
        durability.beforeWrite(key);
        await this.persist.setItem(key, value);
      }
    } catch (e) {
      const err = e as NodeJS.ErrnoException;
      if (isAccessProblem(e)) throw stateAccessError(this.dir, 'write', e);
      throw new StateError(
        `cannot save "${key}" in ${this.dir}: ${err.code ?? ''} ${err.message}. Free disk space or fix permissions, then run again`,
        'state_unwritable',
        e,
      );
    }
    durability.afterWrite(key);
  }

  private get reservePath(): string {
    return path.join(this.dir, 'data', '.reserve');
  }

  /** Keeps RESERVE_BYTES of disk for the writes that must not fail; the error when it cannot. */
  private ensureReserve(): unknown {
    try {
      if (!fs.existsSync(this.reservePath)) {
        durability.beforeWrite('.reserve');
        fs.writeFileSync(this.reservePath, Buffer.alloc(RESERVE_BYTES), { mode: 0o600 });
      }
      return undefined;
    } catch (e) {
      return e ?? new Error('reserve');
    }
  }

  private releaseReserve(): boolean {
    try {
      fs.unlinkSync(this.reservePath);
      durability.spaceFreed();
      return true;
    } catch {
      return false;
    }
  }

  /**
   * Proves the state can be written before something that cannot be redone is started (a refresh
   * that may rotate the refresh token): better fail now than receive a token we cannot keep.
   */
  async probeWritable(): Promise<void> {
    const unwritable = (why: string, cause?: unknown) =>
      new StateError(
        `cannot save anything in ${this.dir} (${why}): free disk space or fix permissions, then run again; nothing was asked of the proxy`,
        'state_unwritable',
        cause,
      );
    const reserveError = this.ensureReserve();
    if (isAccessProblem(reserveError)) throw stateAccessError(this.dir, 'write', reserveError);
    if (reserveError) throw unwritable('no room for the 64 kB reserve');
    try {
      await this.writeWith('probe', { at: new Date().toISOString() }, false);
    } catch (e) {
      const cause = (e as Error).cause as NodeJS.ErrnoException | undefined;
      if (isAccessProblem(cause)) throw e; // already says which user and which folder
      throw unwritable(cause?.code ?? 'write failed', e);
    }
  }

  /** Every key starting with `prefix` (reads every state file: for rare maintenance commands). */
  async keysWithPrefix(prefix: string): Promise<string[]> {
    // Not node-persist's keys(): its error on a damaged file does not say which one in plain words.
    const dataDir = path.join(this.dir, 'data');
    let names: string[];
    try {
      // State files are named by the SHA-256 of their key; anything else (a temporary file left by
      // a killed write, the reserve) is not one.
      names = fs.readdirSync(dataDir).filter((n) => /^[0-9a-f]{64}$/.test(n));
    } catch (e) {
      throw stateAccessError(this.dir, 'read', e);
    }
    const keys: string[] = [];
    for (const name of names) {
      const file = path.join(dataDir, name);
      let key: unknown;
      try {
        key = (JSON.parse(fs.readFileSync(file, 'utf8')) as { key?: unknown } | null)?.key;
      } catch (e) {
        if (isAccessProblem(e)) throw stateAccessError(this.dir, 'read', e);
        throw damagedFile(file, undefined, e);
      }
      if (typeof key !== 'string') throw damagedFile(file, undefined);
      if (key.startsWith(prefix)) keys.push(key);
    }
    return keys;
  }

  async remove(key: string): Promise<void> {
    try {
      await this.persist.removeItem(key);
    } catch (e) {
      if (isAccessProblem(e)) throw stateAccessError(this.dir, 'write', e);
      throw e;
    }
  }

  private damaged(key: string, cause?: unknown): StateError {
    return damagedFile(this.fileOf(key), key, cause);
  }
}

/**
 * One short line for a state file that cannot be parsed or has an unexpected shape: the file,
 * what it held, what to do. No parser or library text (that goes in `cause`, for JEELINKY_DEBUG):
 * the line must fit a scénario log and mean something to a person.
 */
export function damagedFile(file: string, key: string | undefined, cause?: unknown): StateError {
  const [what, todo] = describeKey(key);
  return new StateError(`state file ${file}${what ? ` (${what})` : ''} is damaged: move it aside, then ${todo}`, 'state_damaged', cause);
}

/** What a state key holds, in words, and how the user gets it back once the file is moved aside. */
function describeKey(key: string | undefined): [string, string] {
  const [kind, ...rest] = (key ?? '').split(':');
  switch (kind) {
    case 'tokens':
      return ['tokens', 'pair again with "jeelinky pair"'];
    case 'pairing':
      return ['pairing in progress', 'pair again with "jeelinky pair"'];
    case 'readings':
      return [`${rest[1] ?? 'readings'} ${rest[2] ?? ''}`.trim(), 'run again']; // the run fetches that month again
    case 'meta':
      return [`${rest[1] ?? ''} history`.trim(), 'run again'];
    case 'calls':
      return [`call counts ${rest[0] ?? ''}`.trim(), 'run again'];
    case undefined:
    case '':
      return ['', 'run again'];
    default:
      return [kind, 'run again'];
  }
}
