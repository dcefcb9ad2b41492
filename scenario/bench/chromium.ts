/**
 * Debian's Chromium, headless, for whatever looks at pages: the report bench here, and the tests
 * of the HTML report and of the Jeedom plugin's pages (test/support/browser.ts). The flags keep it
 * off the network: the machines this runs on may refuse outside connections, and Chromium's
 * background services would try them at every start.
 */
import type { BrowserContext } from 'playwright-core';

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

/** A Chromium with its profile in `userDataDir` (the caller's to remove after `context.close()`). */
export async function launchHeadlessChromium(userDataDir: string, viewport: { width: number; height: number }): Promise<BrowserContext> {
  // Imported on use: playwright-core is a development dependency, absent from an installed package.
  const { chromium } = await import('playwright-core');
  return chromium.launchPersistentContext(userDataDir, { executablePath: CHROMIUM, args: FLAGS, viewport });
}
