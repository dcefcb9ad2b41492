/**
 * Writing the report file: ECharts' text from the installed package, and an all-or-nothing write
 * (temporary file in the same folder, then rename) so that a failure never leaves half a page.
 */
import crypto from 'node:crypto';
import fs from 'node:fs';
import { createRequire } from 'node:module';
import path from 'node:path';
import { ExitCode, JeelinkyError } from '../errors.js';

let cachedEcharts: string | undefined;

/** The text of echarts.min.js, resolved from wherever jeelinky is installed. */
export function echartsSource(): string {
  if (cachedEcharts !== undefined) return cachedEcharts;
  const require = createRequire(import.meta.url);
  let file: string;
  try {
    file = require.resolve('echarts/dist/echarts.min.js');
  } catch {
    // Some package managers honour "exports" strictly: go through the package's own folder.
    file = path.join(path.dirname(require.resolve('echarts/package.json')), 'dist', 'echarts.min.js');
  }
  cachedEcharts = fs.readFileSync(file, 'utf8');
  return cachedEcharts;
}

const WHY: Record<string, string> = {
  ENOENT: 'its folder does not exist',
  ENOTDIR: 'a part of its path is a file, not a folder',
  EISDIR: 'it is a directory',
  EACCES: 'permission denied',
  EPERM: 'permission denied',
  EROFS: 'read-only file system',
  ENOSPC: 'no space left on the device',
};

export class ReportWriteError extends JeelinkyError {
  constructor(message: string, cause?: unknown) {
    super(message, { code: 'report_unwritable', exitCode: ExitCode.ACTION_NEEDED, cause });
  }
}

/** Writes `html` to `file` atomically; returns the absolute path and the size in bytes. */
export function writeReportFile(file: string, html: string): { path: string; bytes: number } {
  const target = path.resolve(file);
  const dir = path.dirname(target);
  const tmp = path.join(dir, `.${path.basename(target)}.${process.pid}.${crypto.randomBytes(4).toString('hex')}.tmp`);
  const data = Buffer.from(html, 'utf8');
  try {
    const fd = fs.openSync(tmp, 'wx', 0o644);
    try {
      fs.writeFileSync(fd, data);
      fs.fsyncSync(fd);
    } finally {
      fs.closeSync(fd);
    }
    fs.renameSync(tmp, target);
  } catch (e) {
    try {
      fs.rmSync(tmp, { force: true });
    } catch {
      // nothing was created
    }
    const err = e as NodeJS.ErrnoException;
    const why = WHY[err.code ?? ''] ?? err.message.replace(tmp, target);
    throw new ReportWriteError(`cannot write the report to ${target}: ${why}; give --out a file in a folder you can write to`, e);
  }
  return { path: target, bytes: data.length };
}
