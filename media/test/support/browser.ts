/**
 * Real headless Chromium for browser tests: Debian's /usr/bin/chromium driven by playwright-core
 * (which never downloads a browser of its own), with a fresh profile per launch.
 *
 *   const skip = chromiumMissing();            // a reason string, or null
 *   const browser = await launchChromium();
 *   const page = await browser.context.newPage();
 *   ...
 *   await browser.close();                     // closes Chromium and removes the profile
 */
import { existsSync } from 'node:fs';
import { mkdtemp, rm } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';

export const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

export const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--autoplay-policy=no-user-gesture-required',
];

/** Why browser tests cannot run here, or null when Chromium is installed. */
export function chromiumMissing(): string | null {
  return existsSync(CHROMIUM) ? null : `${CHROMIUM} is missing (apt-get install chromium; .ci/run installs it)`;
}

export interface LaunchedBrowser {
  context: BrowserContext;
  /** The browser's own version string, e.g. "156.0.8078.79". */
  version: string;
  /** The --user-data-dir of this launch (names its processes, e.g. to kill them as a crash would). */
  profile: string;
  close(): Promise<void>;
}

/** Launches Chromium headless with a new, empty --user-data-dir (removed on close). */
export async function launchChromium(o: { timeoutMs?: number; /** extra command-line flags */ args?: string[] } = {}): Promise<LaunchedBrowser> {
  const profile = await mkdtemp(join(tmpdir(), 'argus-chromium-'));
  let context: BrowserContext;
  try {
    // playwright passes --user-data-dir=<profile> itself for a persistent context
    context = await chromium.launchPersistentContext(profile, {
      executablePath: CHROMIUM,
      headless: true,
      args: [...CHROMIUM_ARGS, ...(o.args ?? [])],
      timeout: o.timeoutMs ?? 30_000,
      // the Debian wrapper script reads /etc/chromium.d; keep the environment otherwise as is
      env: { ...process.env },
    });
  } catch (err) {
    await rm(profile, { recursive: true, force: true });
    throw err;
  }
  const version = context.browser()?.version() ?? (await versionOf(context));
  return {
    context,
    version,
    profile,
    close: async () => {
      await context.close().catch(() => {});
      await rm(profile, { recursive: true, force: true });
    },
  };
}

async function versionOf(context: BrowserContext): Promise<string> {
  const page = context.pages()[0] ?? (await context.newPage());
  const ua = (await page.evaluate('navigator.userAgent')) as string;
  return /Chrom(?:e|ium)\/([\d.]+)/.exec(ua)?.[1] ?? ua;
}
