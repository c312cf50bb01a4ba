import { mkdirSync, readFileSync } from 'node:fs';
import { join } from 'node:path';
import { Browser, BrowserContext, Page, chromium } from 'playwright-core';

/** Debian's Chromium (`apt-get install chromium`, which .ci/run does when it is missing), or CHROMIUM_PATH. */
export const chromiumPath = () => process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** Where journeys save the screenshots committed under docs/screenshots/. */
export const SCREENSHOT_DIR = join(__dirname, '..', '..', 'docs', 'screenshots');

export interface TestBrowser {
  browser: Browser;
  /** A fresh context (its own cookies) at `baseUrl`, with console errors and CSP violations collected. */
  newPage(baseUrl: string): Promise<WatchedPage>;
  close(): Promise<void>;
}

export interface WatchedPage {
  page: Page;
  context: BrowserContext;
  /** Uncaught page errors and CSP violations seen so far (console messages about failed requests excluded). */
  problems: string[];
}

/**
 * Headless Chromium through playwright-core. The flags keep Chromium off the network it cannot reach
 * here (background networking, component updates, sync) and let it run as root in CI; playwright gives
 * each launch a fresh temporary profile.
 */
export async function launchBrowser(): Promise<TestBrowser> {
  const browser = await chromium.launch({
    executablePath: chromiumPath(),
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
  return {
    browser,
    async newPage(baseUrl) {
      const context = await browser.newContext({ baseURL: baseUrl, viewport: { width: 1280, height: 860 } });
      const page = await context.newPage();
      const problems: string[] = [];
      page.on('pageerror', (e) => problems.push(`page error: ${e.message}`));
      page.on('console', (m) => {
        if (m.type() === 'error' && /Content.Security.Policy/i.test(m.text())) problems.push(`CSP: ${m.text()}`);
      });
      return { page, context, problems };
    },
    async close() {
      await browser.close();
    },
  };
}

const axeSource = () => readFileSync(require.resolve('axe-core/axe.min.js'), 'utf8');

interface AxeViolation {
  id: string;
  impact: string | null;
  help: string;
  nodes: { target: unknown[]; failureSummary?: string }[];
}

/**
 * Runs axe-core (WCAG 2.x A and AA rules) on the page as it is now and fails listing every serious or
 * critical violation, each with the elements it found. `pageName` names the page in the failure.
 */
export async function expectAccessible(page: Page, pageName: string): Promise<void> {
  // Evaluated over the DevTools protocol, not as a <script>: the console's CSP (rightly) refuses inline scripts.
  if (!(await page.evaluate(() => 'axe' in globalThis))) await page.evaluate(axeSource());
  const violations = await page.evaluate(async () => {
    const axe = (
      globalThis as unknown as { axe: { run: (ctx: unknown, opts: unknown) => Promise<{ violations: unknown[] }> } }
    ).axe;
    const result = await axe.run((globalThis as unknown as { document: unknown }).document, {
      runOnly: { type: 'tag', values: ['wcag2a', 'wcag2aa', 'wcag21a', 'wcag21aa', 'best-practice'] },
    });
    return result.violations;
  });
  const bad = (violations as AxeViolation[]).filter((v) => v.impact === 'serious' || v.impact === 'critical');
  if (bad.length > 0) {
    const lines = bad.map(
      (v) =>
        `- [${v.impact}] ${v.id}: ${v.help}\n${v.nodes
          .slice(0, 5)
          .map(
            (n) =>
              `    at ${JSON.stringify(n.target)}${n.failureSummary ? `: ${n.failureSummary.replace(/\n/g, ' ')}` : ''}`,
          )
          .join('\n')}`,
    );
    throw new Error(`axe-core: ${bad.length} serious or critical violation(s) on ${pageName}:\n${lines.join('\n')}`);
  }
}

/** A full-page PNG of the page as it is now, to docs/screenshots/<name>.png. */
export async function saveScreenshot(page: Page, name: string): Promise<string> {
  mkdirSync(SCREENSHOT_DIR, { recursive: true });
  const path = join(SCREENSHOT_DIR, `${name}.png`);
  await page.screenshot({ path, fullPage: true });
  return path;
}

/** Waits until the console has rendered its first page (it marks <html data-ready> after the session check). */
export async function consoleReady(page: Page): Promise<void> {
  await page.waitForSelector('html[data-ready]', { state: 'attached' });
}
