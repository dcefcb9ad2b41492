/**
 * `npm run test:unit`: the fast path while coding — the pure and in-process tests (no child
 * process, no Debian package, no browser, no real Jeedom, no 3-year parity sweeps), in seconds.
 * `npm test` runs everything, these included.
 */
import { defineConfig } from 'vitest/config';

export const UNIT_TESTS = [
  'test/strtotime.test.ts',
  'test/stats.test.ts',
  'test/tariff-split.test.ts',
  'test/boundaries.test.ts',
  'test/docs-citations.test.ts',
  'test/readme-tree.test.ts',
  'test/simulator-enedis.test.ts',
  'test/jeedom-client.test.ts',
  'test/jeedom-wire.test.ts',
  'test/jeedom-simulator.test.ts',
  'test/jeedom-history.test.ts',
  'test/jeedom-setup.test.ts',
  'test/runner-errors.test.ts',
  'test/runner-pairing.test.ts',
  'test/deliver.test.ts',
];

export default defineConfig({
  test: {
    include: UNIT_TESTS,
    pool: 'forks',
    testTimeout: 60_000,
  },
});
