/**
 * Headless Chromium for tests, from npm: @sparticuz/chromium ships a Chromium build with the
 * libraries it needs (unpacked to the temp folder on first use), driven by puppeteer-core. No
 * system browser, no apt, no download at run time.
 */
import chromium from '@sparticuz/chromium';
import puppeteer, { type Browser } from 'puppeteer-core';

export async function launchBrowser(): Promise<Browser> {
  const executablePath = await chromium.executablePath();
  return puppeteer.launch({ executablePath, args: [...chromium.args, '--disable-background-networking', '--no-first-run'], headless: 'shell' });
}
