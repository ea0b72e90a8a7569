import fs from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext, type Locator, type Page } from 'playwright-core';
import { startTestServer, type TestServer } from '../../test/server';

/**
 * What every browser test needs: the built console served by a real server over the small demo
 * retailer, and a headless Debian Chromium with a fresh profile (never a downloaded browser).
 */

const DIST_INDEX = path.resolve(import.meta.dirname, '..', 'dist', 'index.html');
const CHROMIUM = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';
export const SHOTS = process.env.E2E_SCREENSHOT_DIR ?? os.tmpdir();

export interface ConsoleUnderTest {
  server: TestServer;
  context: BrowserContext;
  /** Uncaught errors in any page, checked at the end of each test. */
  pageErrors: string[];
  /** A new page at the sign-in screen, with no key or language stored (Chinese). */
  freshPage(): Promise<Page>;
  /** A new page signed in with this key. */
  signedIn(key: string): Promise<Page>;
  /** An API call that must answer `expected` (201 for POST, else 200); returns the body. */
  ok<T = any>(method: string, p: string, body?: unknown, expected?: number, key?: string): Promise<T>;
  close(): Promise<void>;
}

/** env: server environment for this test (e.g. SANTONG_BULK_ACCESS_LIMIT), on top of the test defaults. */
export async function launchConsole(
  name: string,
  opts: { env?: Record<string, string> } = {},
): Promise<ConsoleUnderTest> {
  if (!fs.existsSync(DIST_INDEX)) {
    throw new Error(
      `The console is not built (${DIST_INDEX} is missing): run \`npx vite build --config web/vite.config.ts\` first.`,
    );
  }
  if (!fs.existsSync(CHROMIUM)) {
    throw new Error(`No Chromium at ${CHROMIUM}: install it (apt-get install -y chromium) or set CHROMIUM_PATH.`);
  }
  const server = await startTestServer({ demo: true, env: opts.env });
  const profileDir = fs.mkdtempSync(path.join(os.tmpdir(), `santong-e2e-${name}-`));
  // A persistent context is how Playwright takes a user data dir of our own (a fresh temp one).
  const context = await chromium.launchPersistentContext(profileDir, {
    executablePath: CHROMIUM,
    headless: true,
    viewport: { width: 1440, height: 960 },
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
  const pageErrors: string[] = [];
  const freshPage = async () => {
    const page = await context.newPage();
    page.on('pageerror', (err) => pageErrors.push(err.message));
    await page.goto(server.url + '/');
    await page.evaluate('localStorage.clear()');
    await page.reload();
    return page;
  };
  return {
    server,
    context,
    pageErrors,
    freshPage,
    async signedIn(key) {
      const page = await freshPage();
      await page.getByTestId('signin-use-key').click();
      await page.getByTestId('signin-key').fill(key);
      await page.getByTestId('signin-submit').click();
      await page.getByTestId('nav-dashboard').waitFor();
      return page;
    },
    async ok(method, p, body, expected = method === 'POST' ? 201 : 200, key) {
      const r = await server.api(method, p, body, key ? { key } : {});
      if (r.status !== expected) throw new Error(`${method} ${p}: ${r.status} ${JSON.stringify(r.body)}`);
      return r.body;
    },
    async close() {
      await context.close();
      fs.rmSync(profileDir, { recursive: true, force: true });
      await server.close();
    },
  };
}

export async function text(el: Locator): Promise<string> {
  await el.waitFor();
  return ((await el.textContent()) ?? '').trim();
}

/** Money as the console must show it, worked out independently of web/src/format.ts. */
export function yuan(fen: number): string {
  return '¥' + (fen / 100).toLocaleString('en-US', { minimumFractionDigits: 2, maximumFractionDigits: 2 });
}

/** Every product of the demo catalogue, following the cursor. */
export async function allProducts(ui: ConsoleUnderTest): Promise<any[]> {
  const out: any[] = [];
  let cursor: string | null = null;
  do {
    const page: any = await ui.ok(
      'GET',
      `/v1/products?limit=200${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ''}`,
    );
    out.push(...page.items);
    cursor = page.next_cursor;
  } while (cursor);
  return out;
}
