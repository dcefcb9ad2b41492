#!/usr/bin/env node
/**
 * `npm run package:jeedom`: writes dist/jeedom/jeelinky.zip, installable with Jeedom's "install a
 * plugin from a file". Top folder `jeelinky/`: the plugin (jeedom-plugin/) and, in
 * resources/jeelinky/, the built runner (dist/*.js and a package.json holding only what
 * `npm install --omit=dev` needs: the dependency step runs it on the box). node_modules is not in
 * the zip. Run `npm run build` first (the npm script does).
 *
 * No zip library is among the project's dependencies: the archive is written by Python's zipfile.
 */
import { execFileSync } from 'node:child_process';
import fs from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const out = path.join(root, 'dist', 'jeedom');
const stage = path.join(out, 'stage');
const top = path.join(stage, 'jeelinky');

if (!fs.existsSync(path.join(root, 'dist', 'scenario', 'cli.js'))) {
  console.error('package:jeedom: dist/scenario/cli.js is missing: run "npm run build" first');
  process.exit(1);
}
fs.rmSync(stage, { recursive: true, force: true });
fs.mkdirSync(top, { recursive: true });
fs.cpSync(path.join(root, 'jeedom-plugin'), top, { recursive: true });

const runner = path.join(top, 'resources', 'jeelinky');
// Not dist/simulators: test doubles, which only `jeelinky demo` loads (on demand).
for (const dir of ['plugin', 'scenario']) {
  fs.cpSync(path.join(root, 'dist', dir), path.join(runner, 'dist', dir), {
    recursive: true,
    // Only what Node.js runs: no source maps or type declarations.
    filter: (src) => fs.statSync(src).isDirectory() || /\.(js|json)$/.test(src),
  });
}
const pkg = JSON.parse(fs.readFileSync(path.join(root, 'package.json'), 'utf8'));
// No scripts (npm install would run "prepare", i.e. tsc, on the box) and no devDependencies.
const runnerPkg = {
  name: pkg.name,
  version: pkg.version,
  description: pkg.description,
  license: pkg.license,
  type: pkg.type,
  main: pkg.main,
  bin: pkg.bin,
  engines: pkg.engines,
  dependencies: pkg.dependencies,
};
fs.writeFileSync(path.join(runner, 'package.json'), `${JSON.stringify(runnerPkg, null, 2)}\n`);

// The plugin's version follows the package's.
const infoPath = path.join(top, 'plugin_info', 'info.json');
const info = JSON.parse(fs.readFileSync(infoPath, 'utf8'));
info.pluginVersion = pkg.version;
fs.writeFileSync(infoPath, `${JSON.stringify(info, null, 2)}\n`);

const zip = path.join(out, 'jeelinky.zip');
fs.rmSync(zip, { force: true });
const python = `
import os, sys, zipfile
stage, zip_path = sys.argv[1], sys.argv[2]
with zipfile.ZipFile(zip_path, 'w', zipfile.ZIP_DEFLATED) as z:
    for base, dirs, files in os.walk(os.path.join(stage, 'jeelinky')):
        dirs.sort()
        for name in sorted(files):
            full = os.path.join(base, name)
            info = zipfile.ZipInfo.from_file(full, os.path.relpath(full, stage))
            info.compress_type = zipfile.ZIP_DEFLATED
            with open(full, 'rb') as f:
                z.writestr(info, f.read())
`;
try {
  execFileSync('python3', ['-c', python, stage, zip], { stdio: 'inherit' });
} catch {
  console.error('package:jeedom: python3 is needed to write the zip (no zip library in node_modules)');
  process.exit(1);
}
fs.rmSync(stage, { recursive: true, force: true });
console.log(`package:jeedom: ${path.relative(root, zip)} (${Math.round(fs.statSync(zip).size / 1024)} kB)`);
