/**
 * Every citation in the code resolves inside the repository. Comments cite the project's own notes
 * as `docs/<file>.md §N`; this test reads every source file (plugin, scenario, simulators,
 * jeedom-plugin, test, bench) and fails naming file:line when
 * - a `docs/<file>.md` citation names a file that does not exist, or a § that is not one of its
 *   numbered headings;
 * - a § stands alone (not after a `docs/<file>.md`, nor after an RFC number): which document?
 * - a comment cites a document outside the repository: the external reference (a bare
 *   `jeedom-api.md`/`enedis-api.md`, "reference §", "reference/"), the seed documents ("seed 00…",
 *   "the seed", "the second seed") or an issue tracker ("issue <n>").
 * The docs themselves are checked too: their `docs/…` citations, and each bare § of a doc must be a
 * heading of that same doc. README.md's `docs/…` citations must resolve as well.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');
const DOCS = path.join(ROOT, 'docs');

/** Where the code lives (a folder that does not exist is skipped: simulators/ and bench/ may move). */
const SOURCE_FOLDERS = ['plugin', 'scenario', 'simulators', 'jeedom-plugin', 'test', 'bench'];
const SOURCE_EXTENSIONS = new Set(['.ts', '.mts', '.cts', '.js', '.mjs', '.cjs', '.php', '.sh', '.html', '.css']);
/** This file spells the forbidden forms out (patterns, examples): it is not a citation. */
const SELF = 'test/docs-citations.test.ts';

/** A `docs/<file>.md` citation and the sections that follow it: "§3", "§3, §4", "§2.6 and §2.3", "§2–§7". */
const DOCS_CITATION = /docs\/([\w-]+)\.md((?:\s*(?:,|and|–|-|to)?\s*§\s?\d+(?:\.\d+)*)*)/g;
const SECTION = /§\s?(\d+(?:\.\d+)*)/g;
/** A § of a public standard: "RFC 8628 §3.5". */
const RFC_SECTION = /RFC \d+ §\s?\d+(?:\.\d+)*/g;

/** Citations of what is not in the repository. */
const OUTSIDE: Array<{ what: string; re: RegExp }> = [
  { what: 'the external reference (cite docs/<file>.md)', re: /(?<!docs\/)\b(?:jeedom|enedis)-api\.md/i },
  { what: 'the external reference (cite docs/<file>.md §N)', re: /\breference\s*(?:§|\/)/i },
  { what: 'a seed document (cite docs/origins.md)', re: /\bseed\s+00\d|\b(?:the|second)\s+seed\b|\bseed's\b/i },
  { what: 'an issue tracker (say the fact, or cite docs/)', re: /\bissues?\s+#?\d+/i },
];

/** Numbered headings of a doc ("## 2. Title", "### 2.6 Title") → their numbers. */
function sectionsOf(file: string): Set<string> | null {
  const full = path.join(DOCS, file);
  if (!fs.existsSync(full)) return null;
  const numbers = new Set<string>();
  for (const line of fs.readFileSync(full, 'utf8').split('\n')) {
    const m = /^#{1,6}\s+(\d+(?:\.\d+)*)\.?\s/.exec(line);
    if (m) numbers.add(m[1]!);
  }
  return numbers;
}

const sectionCache = new Map<string, Set<string> | null>();
function sections(file: string): Set<string> | null {
  if (!sectionCache.has(file)) sectionCache.set(file, sectionsOf(file));
  return sectionCache.get(file)!;
}

interface Options {
  /** Rules for citations of what is outside the repository (source files: yes). */
  outside: boolean;
  /** The doc a bare § refers to (inside docs/), or null when a bare § is itself a fault. */
  bareSectionsOf: string | null;
}

/** The faults of one line, as messages (empty when every citation resolves). */
function citationFaults(line: string, opts: Options): string[] {
  const faults: string[] = [];
  let rest = line;
  for (const m of line.matchAll(DOCS_CITATION)) {
    const file = `${m[1]}.md`;
    const known = sections(file);
    if (!known) faults.push(`docs/${file} does not exist`);
    else
      for (const s of m[2]!.matchAll(SECTION))
        if (!known.has(s[1]!)) faults.push(`docs/${file} has no section §${s[1]} (it has §${[...known].join(', §')})`);
    rest = rest.replace(m[0], ' ');
  }
  rest = rest.replace(RFC_SECTION, ' ');
  for (const s of rest.matchAll(SECTION)) {
    if (opts.bareSectionsOf === null) faults.push(`§${s[1]} without a document: cite docs/<file>.md §${s[1]}`);
    else if (!sections(opts.bareSectionsOf)?.has(s[1]!)) faults.push(`§${s[1]} is not a section of docs/${opts.bareSectionsOf}`);
  }
  if (opts.outside) for (const { what, re } of OUTSIDE) if (re.test(line)) faults.push(`cites ${what}: "${re.exec(line)![0]}"`);
  return faults;
}

function sourceFiles(): string[] {
  const out: string[] = [];
  const walk = (rel: string) => {
    for (const entry of fs.readdirSync(path.join(ROOT, rel), { withFileTypes: true })) {
      const child = `${rel}/${entry.name}`;
      if (entry.isDirectory()) {
        if (entry.name !== 'node_modules' && entry.name !== 'fixtures') walk(child);
      } else if (SOURCE_EXTENSIONS.has(path.extname(entry.name)) && child !== SELF) out.push(child);
    }
  };
  for (const folder of SOURCE_FOLDERS) if (fs.existsSync(path.join(ROOT, folder))) walk(folder);
  return out.sort();
}

function faultsOfFile(rel: string, opts: Options): string[] {
  return fs
    .readFileSync(path.join(ROOT, rel), 'utf8')
    .split('\n')
    .flatMap((line, i) => citationFaults(line, opts).map((f) => `${rel}:${i + 1}: ${f}`));
}

const SOURCE_OPTIONS: Options = { outside: true, bareSectionsOf: null };

describe('citations in the code resolve inside the repository', () => {
  it('every source file cites docs/<file>.md §N that exists, and nothing outside the repository', () => {
    const files = sourceFiles();
    expect(files.length).toBeGreaterThan(100);
    const faults = files.flatMap((f) => faultsOfFile(f, SOURCE_OPTIONS));
    expect(faults).toEqual([]);
  });

  it('the docs cite existing sections of themselves and of each other, and so does README.md', () => {
    const docs = fs.readdirSync(DOCS).filter((f) => f.endsWith('.md'));
    expect(docs).toEqual(expect.arrayContaining(['jeedom-api.md', 'enedis-api.md', 'origins.md']));
    const faults = [
      ...docs.flatMap((d) =>
        fs
          .readFileSync(path.join(DOCS, d), 'utf8')
          .split('\n')
          .flatMap((line, i) =>
            line.startsWith('#') ? [] : citationFaults(line, { outside: false, bareSectionsOf: d }).map((f) => `docs/${d}:${i + 1}: ${f}`),
          ),
      ),
      ...fs
        .readFileSync(path.join(ROOT, 'README.md'), 'utf8')
        .split('\n')
        .flatMap((line, i) =>
          [...line.matchAll(DOCS_CITATION)].flatMap((m) =>
            citationFaults(m[0], { outside: false, bareSectionsOf: null }).map((f) => `README.md:${i + 1}: ${f}`),
          ),
        ),
    ];
    expect(faults).toEqual([]);
  });

  it('catches each kind of fault (the rules themselves)', () => {
    const faulty = [
      '// (docs/jeedom-api.md §9)',
      '// (docs/nowhere.md §1)',
      '// see docs/enedis-api.md §2.6, §2.9',
      '// Safe recipe from reference §2',
      '// documented in reference/jeedom-api.md',
      '// (reference: jeedom-api.md §5)',
      '// the step the reference documents (§3.3)',
      "// seed 004's blacklist",
      "// the seed's six figures",
      "// named after the second seed's table",
      '// the six statistics commands of issue 4',
    ];
    for (const line of faulty) expect(citationFaults(line, SOURCE_OPTIONS), line).not.toEqual([]);
    const fine = [
      '// (docs/jeedom-api.md §3, §4)',
      '// (docs/enedis-api.md §2.6 and §2.3)',
      '// (docs/enedis-api.md §2–§7)',
      '// (docs/origins.md §6)',
      '// Each slow_down adds 5 s (RFC 8628 §3.5)',
      '// mixes a day seed with the slot index',
      '// the reference scan (getStatistique)',
    ];
    for (const line of fine) expect(citationFaults(line, SOURCE_OPTIONS), line).toEqual([]);
  });
});
