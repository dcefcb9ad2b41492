/**
 * Debian's Chromium, headless, for the tests that look at pages (the HTML report, the Jeedom
 * plugin's pages); the launch flags are shared with the report bench (scenario/bench/chromium.ts).
 */
import fs from 'node:fs';
import type { BrowserContext } from 'playwright-core';
import { CHROMIUM, launchHeadlessChromium } from '../../scenario/bench/chromium.js';
import { tempDir } from './core.js';

export { CHROMIUM };

/** A fresh profile in a temporary folder; `userDataDir` is the caller's to remove after `context.close()`. */
export async function launchChromium(
  viewport: { width: number; height: number },
  why: string,
): Promise<{ context: BrowserContext; userDataDir: string }> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: ${why} need Debian's chromium (run "npm run test-setup" or "apt-get install chromium")`);
  }
  const userDataDir = tempDir('jeelinky-chromium-');
  return { context: await launchHeadlessChromium(userDataDir, viewport), userDataDir };
}
