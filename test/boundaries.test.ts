/**
 * The boundary rule: the pure cores (plugin/time, plugin/stats, plugin/tariff, plugin/tempo/colours.ts,
 * plugin/jeedom/wire.ts with plugin/jeedom/errors.ts) compute; they import nothing that does I/O. Loading (the store, the Enedis
 * contract cache, a Jeedom box) is the runner's business (plugin/runner/). The test reads the import statements of every file
 * of the pure cores, resolves relative imports to the file they name and fails naming the file and
 * the import that reaches a forbidden module: an I/O folder of the library, an I/O module of Node, or
 * an I/O package, directly or through a shared module of the library (plugin/errors.ts…).
 * `import type` is allowed from anywhere: it is erased at compile time and loads nothing.
 * A second rule: nothing under plugin/ imports simulators/ (the library never depends on its test doubles).
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');

/**
 * The pure cores: folders (every .ts file under them) and single files. A pure file inside an I/O
 * folder (Jeedom's wire decoding and its typed errors, beside the transport) is never a forbidden
 * target: it is checked on its own.
 */
export const PURE = [
  'plugin/time',
  'plugin/stats',
  'plugin/tariff',
  'plugin/tempo/colours.ts',
  'plugin/jeedom/wire.ts',
  'plugin/jeedom/errors.ts',
];

/** Library modules that do I/O (a folder forbids everything under it). */
const FORBIDDEN_FILES = [
  'plugin/store',
  'plugin/enedis',
  'plugin/jeedom',
  'plugin/sinks',
  'plugin/runner',
  'plugin/report',
  'plugin/tempo/calendar.ts',
  'plugin/tempo/sources.ts',
  'plugin/tempo/settings.ts',
  'plugin/transport.ts',
];

/** Node modules that reach the disk, the network or other processes. */
const FORBIDDEN_NODE = [
  'fs',
  'fs/promises',
  'net',
  'http',
  'https',
  'http2',
  'tls',
  'dgram',
  'dns',
  'child_process',
  'worker_threads',
  'cluster',
  'readline',
];

/** Packages that do I/O. */
const FORBIDDEN_PACKAGES = [
  'axios',
  'node-persist',
  'mqtt',
  '@influxdata/influxdb-client',
  'proper-lockfile',
  'write-file-atomic',
  'undici',
  'ws',
];

/**
 * Shared library modules a pure core may still reach although they do I/O, each with the reason and
 * the way out. plugin/tariff/settings.ts uses pickSetting (flag > JEELINKY_* > config.json, pure),
 * which lives in plugin/config.ts next to the config.json reader (node:fs); it leaves with the one
 * table of settings (plugin/settings.ts).
 */
const TOLERATED: Record<string, string> = {};

export interface ImportStatement {
  specifier: string;
  /** `import type` / `export type`: erased at compile time. */
  typeOnly: boolean;
  line: number;
}

/** The import and re-export statements of a TypeScript source, and its dynamic imports. */
export function importsOf(source: string): ImportStatement[] {
  // Block comments out (a doc comment may show an import); line numbers kept.
  const code = source.replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, ' '));
  const lineOf = (index: number) => code.slice(0, index).split('\n').length;
  const out: ImportStatement[] = [];
  const statement = /^[ \t]*(import|export)\s+(type\s+)?(?:[\w*{}\s,$]*?\s+from\s+)?['"]([^'"]+)['"]/gm;
  for (const m of code.matchAll(statement)) out.push({ specifier: m[3]!, typeOnly: Boolean(m[2]), line: lineOf(m.index!) });
  for (const m of code.matchAll(/\bimport\(\s*['"]([^'"]+)['"]\s*\)/g))
    out.push({ specifier: m[1]!, typeOnly: false, line: lineOf(m.index!) });
  return out;
}

const rel = (abs: string) => path.relative(ROOT, abs).split(path.sep).join('/');
const under = (file: string, places: string[]) => places.some((p) => file === p || file.startsWith(`${p}/`));

/** Why a module specifier is forbidden, or undefined. `file` is the repository-relative path of the importer. */
function forbiddenTarget(
  file: string,
  specifier: string,
  exists: (f: string) => boolean,
  pure: string[],
): { target: string; why?: string } {
  if (specifier.startsWith('.')) {
    // ESM sources name the emitted .js: the source is the .ts beside it.
    const target = rel(path.resolve(ROOT, path.dirname(file), specifier)).replace(/\.js$/, '.ts');
    const resolved = exists(target) ? target : exists(`${target}/index.ts`) ? `${target}/index.ts` : target;
    const io = under(resolved, FORBIDDEN_FILES) && !under(resolved, pure);
    return { target: resolved, why: io ? 'a library module that does I/O' : undefined };
  }
  const bare = specifier.replace(/^node:/, '');
  if (FORBIDDEN_NODE.includes(bare)) return { target: specifier, why: 'a Node module that does I/O' };
  const pkg = specifier.startsWith('@') ? specifier.split('/').slice(0, 2).join('/') : specifier.split('/')[0]!;
  if (FORBIDDEN_PACKAGES.includes(pkg)) return { target: specifier, why: 'a package that does I/O' };
  return { target: specifier };
}

export interface Violation {
  file: string;
  line: number;
  specifier: string;
  /** The chain of library modules through which the forbidden one is reached. */
  via: string[];
  reason: string;
}

/**
 * Every runtime import of the files of `pure` that reaches a forbidden module, directly or through
 * the shared library modules it imports (followed transitively; the pure cores are checked on
 * their own). `read` gives a repository-relative file's source, or undefined when it does not exist.
 */
export function boundaryViolations(files: string[], pure: string[], read: (file: string) => string | undefined): Violation[] {
  const exists = (f: string) => read(f) !== undefined;
  const out: Violation[] = [];
  /** The first forbidden module a shared module reaches, memoised: [chain, reason] or null. */
  const reach = new Map<string, { via: string[]; reason: string } | null>();
  const reachOf = (file: string, seen: Set<string>): { via: string[]; reason: string } | null => {
    if (reach.has(file)) return reach.get(file)!;
    if (seen.has(file) || TOLERATED[file]) return null;
    seen.add(file);
    let found: { via: string[]; reason: string } | null = null;
    for (const imp of importsOf(read(file) ?? '')) {
      if (imp.typeOnly) continue;
      const t = forbiddenTarget(file, imp.specifier, exists, pure);
      if (t.why) found = { via: [file, t.target], reason: t.why };
      else if (imp.specifier.startsWith('.') && t.target.startsWith('plugin/') && !under(t.target, pure)) {
        const deeper = reachOf(t.target, seen);
        if (deeper) found = { via: [file, ...deeper.via], reason: deeper.reason };
      }
      if (found) break;
    }
    reach.set(file, found);
    return found;
  };
  for (const file of files) {
    for (const imp of importsOf(read(file) ?? '')) {
      if (imp.typeOnly) continue;
      const t = forbiddenTarget(file, imp.specifier, exists, pure);
      if (t.why) {
        out.push({ file, line: imp.line, specifier: imp.specifier, via: [t.target], reason: t.why });
      } else if (imp.specifier.startsWith('.') && t.target.startsWith('plugin/') && !under(t.target, pure)) {
        const deeper = reachOf(t.target, new Set());
        if (deeper) out.push({ file, line: imp.line, specifier: imp.specifier, via: deeper.via, reason: deeper.reason });
      }
    }
  }
  return out;
}

function listTs(place: string): string[] {
  const abs = path.join(ROOT, place);
  if (!fs.statSync(abs).isDirectory()) return [place];
  return fs
    .readdirSync(abs, { withFileTypes: true })
    .flatMap((e) => (e.isDirectory() ? listTs(`${place}/${e.name}`) : e.name.endsWith('.ts') ? [`${place}/${e.name}`] : []));
}

const readRepo = (file: string) => {
  try {
    return fs.readFileSync(path.join(ROOT, file), 'utf8');
  } catch {
    return undefined;
  }
};

const describeViolation = (v: Violation) => `${v.file}:${v.line} imports '${v.specifier}' → ${v.via.join(' → ')}: ${v.reason}`;

/**
 * The library never depends on its test doubles: every import of a file under plugin/ (`import type`
 * included: a declaration file naming simulators/ would break a consumer without them) that names a
 * file under simulators/.
 */
export function simulatorImports(files: string[], read: (file: string) => string | undefined): string[] {
  return files.flatMap((file) =>
    importsOf(read(file) ?? '')
      .filter((imp) => imp.specifier.startsWith('.'))
      .map((imp) => ({ imp, target: rel(path.resolve(ROOT, path.dirname(file), imp.specifier)) }))
      .filter(({ target }) => under(target, ['simulators']))
      .map(({ imp, target }) => `${file}:${imp.line} imports '${imp.specifier}' → ${target}: a simulator (a test double)`),
  );
}

describe('boundary rule: the library does not import the simulators', () => {
  it('no file under plugin/ imports simulators/', () => {
    const files = listTs('plugin');
    expect(files.length).toBeGreaterThan(50);
    expect(simulatorImports(files, readRepo)).toEqual([]);
  });

  it('the rule names the file and the import, static, re-exported, type-only or dynamic', () => {
    const sources: Record<string, string> = {
      'plugin/runner/a.ts': [
        "import { startEnedisSimulator } from '../../simulators/enedis.js';",
        "import { x } from './b.js';",
        "export type { JeedomSimulator } from '../../simulators/jeedom.js';",
        "const later = () => import('../../simulators/tempo.js');",
        "import { y } from '../simulators/not-the-folder.js';",
      ].join('\n'),
    };
    expect(simulatorImports(['plugin/runner/a.ts'], (f) => sources[f])).toEqual([
      "plugin/runner/a.ts:1 imports '../../simulators/enedis.js' → simulators/enedis.js: a simulator (a test double)",
      "plugin/runner/a.ts:3 imports '../../simulators/jeedom.js' → simulators/jeedom.js: a simulator (a test double)",
      "plugin/runner/a.ts:4 imports '../../simulators/tempo.js' → simulators/tempo.js: a simulator (a test double)",
    ]);
  });
});

describe('boundary rule: the pure cores import nothing that does I/O', () => {
  it("no file of plugin/time, plugin/stats, plugin/tariff, plugin/tempo/colours.ts or Jeedom's wire decoding reaches the store, Enedis, the Jeedom transport, the sinks, fs or the network", () => {
    const files = PURE.flatMap(listTs);
    expect(files.length).toBeGreaterThan(20);
    expect(boundaryViolations(files, PURE, readRepo).map(describeViolation)).toEqual([]);
  });

  it('no exception is tolerated: every pure core is free of I/O, config.ts included', () => {
    expect(TOLERATED).toEqual({});
  });

  it('the rule catches a direct I/O import, one through a shared module and a dynamic import; it lets import type through', () => {
    const sources: Record<string, string> = {
      'plugin/tariff/a.ts': [
        "import type { StateStore } from '../store/state.js';",
        "import { ReadingsStore } from '../store/readings.js';",
        'import {',
        '  helper,',
        "} from '../shared.js';",
        "import fs from 'node:fs';",
        "export { x } from '../jeedom/client.js';",
        "const later = () => import('axios');",
        "/** import { y } from '../enedis/http.js' (a comment) */",
        "import { ok } from './b.js';",
      ].join('\n'),
      'plugin/tariff/b.ts': "import moment from 'moment-timezone';\nimport { ConfigError } from '../errors.js';",
      'plugin/errors.ts': '',
      'plugin/shared.ts': "import { Cache } from './enedis/customers.js';",
      'plugin/enedis/customers.ts': '',
      'plugin/store/readings.ts': '',
      'plugin/jeedom/client.ts': '',
    };
    const found = boundaryViolations(['plugin/tariff/a.ts', 'plugin/tariff/b.ts'], ['plugin/tariff'], (f) => sources[f]);
    expect(found.map(describeViolation)).toEqual([
      "plugin/tariff/a.ts:2 imports '../store/readings.js' → plugin/store/readings.ts: a library module that does I/O",
      "plugin/tariff/a.ts:3 imports '../shared.js' → plugin/shared.ts → plugin/enedis/customers.ts: a library module that does I/O",
      "plugin/tariff/a.ts:6 imports 'node:fs' → node:fs: a Node module that does I/O",
      "plugin/tariff/a.ts:7 imports '../jeedom/client.js' → plugin/jeedom/client.ts: a library module that does I/O",
      "plugin/tariff/a.ts:8 imports 'axios' → axios: a package that does I/O",
    ]);
  });

  it('a pure file inside an I/O folder may import the pure files beside it, not the ones that do I/O', () => {
    const sources: Record<string, string> = {
      'plugin/jeedom/wire.ts': [
        "import moment from 'moment-timezone';",
        "import { JeedomAuthError } from './errors.js';",
        "import { JeedomRpc } from './rpc.js';",
        "import { names } from './names.js';",
      ].join('\n'),
      'plugin/jeedom/errors.ts': "import { ConfigError } from '../errors.js';",
      'plugin/errors.ts': '',
      'plugin/jeedom/rpc.ts': "import axios from 'axios';",
      'plugin/jeedom/names.ts': '',
    };
    const pure = ['plugin/jeedom/wire.ts', 'plugin/jeedom/errors.ts'];
    const found = boundaryViolations(pure, pure, (f) => sources[f]);
    expect(found.map(describeViolation)).toEqual([
      "plugin/jeedom/wire.ts:3 imports './rpc.js' → plugin/jeedom/rpc.ts: a library module that does I/O",
      "plugin/jeedom/wire.ts:4 imports './names.js' → plugin/jeedom/names.ts: a library module that does I/O",
    ]);
  });
});
