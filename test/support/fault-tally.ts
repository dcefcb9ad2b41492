/**
 * The fault suite's tally: what each test file tried and what was lost, merged into
 * test-artifacts/fault-report.json (the README's reliability table quotes it).
 */
import fs from 'node:fs';
import path from 'node:path';
import { afterAll } from 'vitest';
import { ROOT } from './core.js';

export function faultTally(): (what: string, lost: number) => void {
  const tally: Record<string, { tried: number; lost: number }> = {};
  afterAll(() => {
    fs.mkdirSync(path.join(ROOT, 'test-artifacts'), { recursive: true });
    const file = path.join(ROOT, 'test-artifacts', 'fault-report.json');
    const previous = fs.existsSync(file) ? JSON.parse(fs.readFileSync(file, 'utf8')) : {};
    fs.writeFileSync(file, JSON.stringify({ ...previous, ...tally }, null, 2));
  });
  return (what, lost) => {
    tally[what] ??= { tried: 0, lost: 0 };
    tally[what].tried++;
    tally[what].lost += lost;
  };
}
