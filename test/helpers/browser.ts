/**
 * Headless Chromium for tests, from npm: @sparticuz/chromium ships a Chromium build and the
 * shared libraries it needs (NSS, NSPR, expat ... built for Amazon Linux 2023), unpacked to the
 * temporary folder on first use, driven by puppeteer-core. No system browser, no apt, no download
 * at run time. The package unpacks its libraries only where it detects Amazon Linux 2023 (through
 * CODEBUILD_BUILD_IMAGE and similar variables); the variable set here asks for them everywhere,
 * so that a machine without libnss3 runs the tests too.
 */
import type { Browser } from 'puppeteer-core';

export async function launchBrowser(): Promise<Browser> {
  process.env.CODEBUILD_BUILD_IMAGE ??= 'nodejs20 (bridge-migrate tests: use the libraries shipped with @sparticuz/chromium)';
  const { default: chromium } = await import('@sparticuz/chromium');
  const { default: puppeteer } = await import('puppeteer-core');
  const executablePath = await chromium.executablePath();
  return puppeteer.launch({ executablePath, args: [...chromium.args, '--disable-background-networking', '--no-first-run'], headless: 'shell' });
}
