/**
 * README.md's "Development" section draws the tree; this test keeps the drawing true. For each
 * entry `name/` or `name.ts` of the drawing (indented entries belong to the folder above):
 * - it exists;
 * - every module a "·" list names (`rpc (…) · wire (…) · client`) is a file or folder of it;
 * and, the other way, every folder of plugin/ and simulators/ and every top-level file of plugin/
 * is in the drawing, so a new part of the library cannot go unmentioned.
 */
import fs from 'node:fs';
import path from 'node:path';
import { describe, expect, it } from 'vitest';

const ROOT = path.resolve(__dirname, '..');

interface TreeEntry {
  /** Path from the repository root, e.g. "plugin/jeedom" or "plugin/settings.ts". */
  path: string;
  /** The description, continuation lines included. */
  text: string;
  line: number;
}

/** The entries of the first code block after "## Development". */
function readmeTree(): TreeEntry[] {
  const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8').split('\n');
  const start = readme.indexOf('## Development');
  const open = readme.findIndex((l, i) => i > start && l.startsWith('```'));
  const close = readme.findIndex((l, i) => i > open && l.startsWith('```'));
  const entries: TreeEntry[] = [];
  let folder = '';
  for (let i = open + 1; i < close; i++) {
    const line = readme[i]!;
    const files = /^ +([\w.-]+\.ts(?: · [\w.-]+\.ts)+)$/.exec(line);
    if (files) {
      // "config.ts · errors.ts · …": files of the folder above, one entry each.
      for (const name of files[1]!.split(' · ')) entries.push({ path: path.posix.join(folder, name), text: '', line: i + 1 });
      continue;
    }
    const entry = /^( *)([\w.-]+\/|[\w.-]+\.\w+)(?: {2,}(.*))?$/.exec(line);
    if (entry) {
      const [, indent, name, text] = entry as unknown as [string, string, string, string | undefined];
      const parent = indent.length === 0 ? '' : folder;
      const rel = path.posix.join(parent, name.replace(/\/$/, ''));
      if (indent.length === 0 && name.endsWith('/')) folder = rel;
      entries.push({ path: rel, text: text ?? '', line: i + 1 });
    } else if (/^ {10,}\S/.test(line) && entries.length) {
      entries[entries.length - 1]!.text += ` ${line.trim()}`; // a description's continuation
    }
  }
  return entries;
}

/** The modules a "·" list names: the first word of each item ("rpc (JSON-RPC…)" → "rpc"). */
function namedModules(text: string): string[] {
  if (!text.includes('·')) return [];
  return text
    .split('·')
    .map((item) => /^\s*([a-z][\w-]*(?:\.ts|\/)?)(?=\s|$|\()/.exec(item)?.[1])
    .filter((name): name is string => Boolean(name))
    .map((name) => name.replace(/\/$/, ''));
}

describe("README's Development tree", () => {
  const tree = readmeTree();

  it('is found', () => {
    expect(tree.map((e) => e.path)).toEqual(expect.arrayContaining(['plugin', 'plugin/runner', 'scenario', 'simulators', 'test']));
  });

  it('names only what exists', () => {
    const missing: string[] = [];
    for (const e of tree) {
      if (!fs.existsSync(path.join(ROOT, e.path))) missing.push(`README.md:${e.line}: ${e.path} does not exist`);
      if (!e.path.endsWith('.ts') && fs.existsSync(path.join(ROOT, e.path)) && fs.statSync(path.join(ROOT, e.path)).isDirectory()) {
        const dir = path.join(ROOT, e.path);
        for (const name of namedModules(e.text)) {
          const found = [name, `${name}.ts`].some((n) => fs.existsSync(path.join(dir, n)));
          if (!found) missing.push(`README.md:${e.line}: ${e.path} has no module "${name}"`);
        }
      }
    }
    // Top-level "a.ts · b.ts" lines of plugin/.
    const flat = tree.filter((e) => e.path.startsWith('plugin/') && e.path.endsWith('.ts')).map((e) => e.path);
    expect(flat).toEqual(expect.arrayContaining(['plugin/settings.ts', 'plugin/config.ts', 'plugin/usage-point.ts']));
    expect(missing).toEqual([]);
  });

  it('names every folder of plugin/ and simulators/ and every top-level file of plugin/', () => {
    const readme = fs.readFileSync(path.join(ROOT, 'README.md'), 'utf8');
    const drawn = new Set(tree.map((e) => e.path));
    const absent: string[] = [];
    for (const top of ['plugin', 'simulators']) {
      for (const d of fs.readdirSync(path.join(ROOT, top), { withFileTypes: true })) {
        const rel = `${top}/${d.name}`;
        if (d.isDirectory() && !drawn.has(rel)) absent.push(rel);
      }
    }
    const block = readme.slice(readme.indexOf('## Development'));
    for (const f of fs.readdirSync(path.join(ROOT, 'plugin'))) {
      if (f.endsWith('.ts') && f !== 'index.ts' && !new RegExp(`(^|[\\s·])${f.replace('.', '\\.')}(\\s|$)`, 'm').test(block))
        absent.push(`plugin/${f}`);
    }
    expect(absent).toEqual([]);
  });

  it('reads the "·" lists as intended (the rule itself)', () => {
    expect(namedModules('rpc (JSON-RPC over HTTP) · wire (decoding, pure) · client (the typed calls) ·')).toEqual([
      'rpc',
      'wire',
      'client',
    ]);
    expect(namedModules('the use cases: run, fetch')).toEqual([]);
  });
});
