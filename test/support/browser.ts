/**
 * Debian's Chromium, headless, for the tests that look at pages (the HTML report, the Jeedom
 * plugin's pages). The flags keep it off the network: this machine refuses outside connections,
 * and Chromium's background services would try them at every start.
 */
import fs from 'node:fs';
import { chromium, type BrowserContext } from 'playwright-core';
import { tempDir } from './core.js';

export const CHROMIUM = '/usr/bin/chromium';

const FLAGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A fresh profile in a temporary folder; `userDataDir` is the caller's to remove after `context.close()`. */
export async function launchChromium(
  viewport: { width: number; height: number },
  why: string,
): Promise<{ context: BrowserContext; userDataDir: string }> {
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`${CHROMIUM} is missing: ${why} need Debian's chromium (run "npm run test-setup" or "apt-get install chromium")`);
  }
  const userDataDir = tempDir('jeelinky-chromium-');
  const context = await chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, args: FLAGS, viewport });
  return { context, userDataDir };
}
