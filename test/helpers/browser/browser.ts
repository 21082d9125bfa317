/**
 * Debian's Chromium, headless, driven by playwright-core, for the end-to-end suites. Playwright's
 * launch() gives each run a fresh temporary profile (its own --user-data-dir); every person in a
 * test gets their own context (cookies apart). Nothing reaches outside: the flags below turn off
 * Chromium's own background traffic.
 */
import { mkdir } from 'node:fs/promises';
import { join } from 'node:path';
import { type Browser, chromium, type Page } from 'playwright-core';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SCREENSHOT_DIR = join(process.cwd(), 'test-artifacts', 'screenshots');

export async function launchChromium(): Promise<Browser> {
  return chromium.launch({
    executablePath: CHROMIUM_PATH,
    headless: true,
    args: [
      '--no-sandbox',
      '--disable-gpu',
      '--disable-quic',
      '--no-first-run',
      '--disable-background-networking',
      '--disable-component-update',
      '--disable-sync',
    ],
  });
}

/** Saves a full-page screenshot as test-artifacts/screenshots/<name>.png. */
export async function screenshot(page: Page, name: string): Promise<void> {
  await mkdir(SCREENSHOT_DIR, { recursive: true });
  await page.screenshot({ path: join(SCREENSHOT_DIR, `${name}.png`), fullPage: true });
}

/**
 * Logs in on the local OpenID Connect provider's own TestID page, where the service has sent the
 * browser, and waits until the provider has sent it back to the service (`serviceUrl`).
 */
export async function providerLogin(
  page: Page,
  serviceUrl: string,
  pid: string,
  level: 3 | 4,
): Promise<void> {
  await page.waitForURL(/\/interaction\/[\w-]+$/).catch(async (err: Error) => {
    throw new Error(
      `not on the provider's login page: ${page.url()}\n${await page.locator('body').textContent()}`,
      {
        cause: err,
      },
    );
  });
  await page.getByLabel('Test identity number').fill(pid);
  await page.getByLabel(`Level ${level}`).check();
  await page.getByRole('button', { name: 'Log in with TestID' }).click();
  await page.waitForURL((url) => url.href.startsWith(serviceUrl) && url.pathname !== '/login/callback');
}
