/**
 * The fault suite's crash and full-disk points, installed into the real CLI with
 * `node --import test/support/fault-hooks.mjs dist/scenario/cli.js …` (runCli/spawnCli in core.ts do
 * it when a JEELINKY_TEST_* variable is given). Production code knows nothing of this: it only
 * calls the durability probe (plugin/probe.ts), a no-op unless a module like this one installs one.
 *
 * - JEELINKY_TEST_CRASH_AFTER="N": kill the process as kill -9 would right after the N-th durable
 *   write; "key:<prefix>": right after the first write of a key starting with <prefix>;
 *   "response:N": right after the N-th HTTP answer arrives (proxy or Jeedom), before it is used.
 * - JEELINKY_TEST_FAIL_WRITES_AFTER="N": every durable write after the N-th fails with ENOSPC, as
 *   on a full disk; deleting the state store's reserve file lets one more write through.
 *
 * Imported from dist/ (built by `npx tsc` before the CLI tests) so that it is the very module
 * instance the CLI uses.
 */
import { setDurabilityProbe } from '../../dist/plugin/probe.js';

const crashSpec = process.env.JEELINKY_TEST_CRASH_AFTER;
const failWritesAfter = process.env.JEELINKY_TEST_FAIL_WRITES_AFTER;

let writes = 0;
let responses = 0;
let writesAttempted = 0;
let freedWrites = 0;

function kill() {
  process.kill(process.pid, 'SIGKILL');
  // SIGKILL is not catchable: the line below is never reached.
  throw new Error('unreachable');
}

setDurabilityProbe({
  afterDurableWrite(key) {
    if (!crashSpec || crashSpec.startsWith('response:')) return;
    writes++;
    if (crashSpec.startsWith('key:') ? key.startsWith(crashSpec.slice(4)) : writes === Number(crashSpec)) kill();
  },

  beforeDurableWrite() {
    if (failWritesAfter === undefined) return;
    writesAttempted++;
    if (writesAttempted <= Number(failWritesAfter)) return;
    // Space freed by deleting the reserve file lets one more small write through, as on a real disk.
    if (freedWrites > 0) {
      freedWrites--;
      return;
    }
    const err = new Error('ENOSPC: no space left on device (simulated)');
    err.code = 'ENOSPC';
    throw err;
  },

  spaceFreed() {
    freedWrites++;
  },

  afterHttpResponse() {
    if (!crashSpec?.startsWith('response:')) return;
    if (++responses === Number(crashSpec.slice('response:'.length))) kill();
  },
});
