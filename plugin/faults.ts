/**
 * Test-only fault points, for the fault suite (test/faults-*.test.ts). Unset in normal use; each
 * check is one environment lookup.
 *
 * - JEELINKY_TEST_CRASH_AFTER="N": kill the process as kill -9 would right after the N-th durable
 *   write; "key:<prefix>": right after the first write of a key starting with <prefix>;
 *   "response:N": right after the N-th HTTP answer arrives (proxy or Jeedom), before it is used.
 * - JEELINKY_TEST_FAIL_WRITES_AFTER="N": every durable write after the N-th fails with ENOSPC, as
 *   on a full disk.
 */
let writes = 0;
let responses = 0;

function kill(): never {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL is not catchable: the line below is never reached.
  throw new Error('unreachable');
}

/** Called after each durable write succeeded. */
export function afterDurableWrite(key: string): void {
  const spec = process.env.JEELINKY_TEST_CRASH_AFTER;
  if (!spec || spec.startsWith('response:')) return;
  writes++;
  if (spec.startsWith('key:') ? key.startsWith(spec.slice(4)) : writes === Number(spec)) kill();
}

/** Called before each durable write: simulates a full disk. */
export function beforeDurableWrite(): void {
  const limit = process.env.JEELINKY_TEST_FAIL_WRITES_AFTER;
  if (limit === undefined) return;
  writesAttempted++;
  // Space freed by deleting the reserve file lets one more small write through, as on a real disk.
  if (writesAttempted > Number(limit) && freedWrites > 0) {
    freedWrites--;
    return;
  }
  if (writesAttempted > Number(limit)) {
    const err = new Error('ENOSPC: no space left on device (simulated)') as NodeJS.ErrnoException;
    err.code = 'ENOSPC';
    throw err;
  }
}
let writesAttempted = 0;
let freedWrites = 0;

/** The state store deleted its reserve file to make room (see StateStore.write). */
export function spaceFreed(): void {
  freedWrites++;
}

/** Called when an HTTP answer arrives, before anything is done with it. */
export function afterHttpResponse(): void {
  const spec = process.env.JEELINKY_TEST_CRASH_AFTER;
  if (!spec?.startsWith('response:')) return;
  if (++responses === Number(spec.slice('response:'.length))) kill();
}
