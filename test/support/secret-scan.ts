/**
 * Vitest global set-up: after the whole suite, scans every CLI output (test-artifacts/cli-output.log)
 * and every file the tests left in test-artifacts/ for secrets in clear. The simulators issue
 * recognisable secrets: the proxy's tokens and device codes are 64 hex digits (jeelinky shows at
 * most `abcd…(64)`), the Jeedom simulator's API key and the keys tests use have known texts.
 * A hit fails the run.
 */
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const ARTIFACTS = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..', '..', 'test-artifacts');
const PATTERNS: Array<[string, RegExp]> = [
  // node-persist names state files by a 64-hex hash of their key: a path, not a secret.
  ['a 64-hex token or device code', /(?<!\/data\/)\b[0-9a-f]{64}\b/i],
  ["the Jeedom simulator's API key", /SimJeedomCoreApiKey/],
  ['a wrong API key used by the tests', /WrongKeyWrongKey/],
  ['an MQTT test password', /right-password-1|wrong-password-2/],
];

function files(dir: string): string[] {
  if (!fs.existsSync(dir)) return [];
  return fs
    .readdirSync(dir, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? files(path.join(dir, e.name)) : [path.join(dir, e.name)]));
}

export function setup(): void {
  // A run of test files that start no CLI would otherwise find no folder to write its scan into.
  fs.mkdirSync(ARTIFACTS, { recursive: true });
  fs.rmSync(path.join(ARTIFACTS, 'cli-output.log'), { force: true });
  fs.rmSync(path.join(ARTIFACTS, 'fault-report.json'), { force: true });
}

export function teardown(): void {
  const hits: string[] = [];
  let scanned = 0;
  for (const file of files(ARTIFACTS)) {
    if (/\.(png|jpe?g)$/i.test(file)) continue;
    const text = fs.readFileSync(file, 'utf8');
    scanned++;
    for (const [what, re] of PATTERNS) {
      const m = re.exec(text);
      if (m)
        hits.push(
          `${path.relative(ARTIFACTS, file)}: ${what} near "${text.slice(Math.max(0, m.index - 40), m.index).replace(/\s+/g, ' ')}…"`,
        );
    }
  }
  fs.writeFileSync(
    path.join(ARTIFACTS, 'secret-scan.txt'),
    `${scanned} file(s) scanned, ${hits.length} secret(s) found\n${hits.join('\n')}\n`,
  );
  if (hits.length) throw new Error(`secret scan: ${hits.length} secret(s) in clear in the test outputs:\n${hits.join('\n')}`);
}
