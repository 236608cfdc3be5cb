// What each test case gets: a way to open the page in a fresh browser context, with every
// page error, console error and failed request recorded, and to save screenshots.
//
// A case is an exported async function in a tests/browser/*.test.mjs file, given one
// `TestContext`. After the case returns, the runner fails it if anything went wrong in any
// page it opened, unless the case said which errors it expects (`t.allowErrors`).

import assert from 'node:assert/strict';
import { mkdir } from 'node:fs/promises';
import path from 'node:path';

/** Desktop and phone viewports used by the cases. */
export const VIEWPORTS = {
  desktop: { width: 1280, height: 800 },
  mobile: { width: 390, height: 844 },
};

/** A subpath the server also serves the page under, as a static host might. */
export const SUBPATH = '/nested/deeper/';

/** How long the app gets to load and render before a case gives up. */
export const APP_TIMEOUT_MS = 15_000;

export class TestContext {
  constructor({ browser, origin, outDir }) {
    this.browser = browser;
    this.origin = origin;
    this.outDir = outDir;
    this.errors = [];
    this.allowed = [];
    this.contexts = [];
  }

  /**
   * Opens `urlPath` (relative to the server root) in a fresh browser context.
   * @param {string} urlPath e.g. "/" or "/nested/deeper/"
   * @param {{ viewport?: {width: number, height: number}, colorScheme?: 'light'|'dark' }} options
   */
  async open(urlPath = '/', { viewport = VIEWPORTS.desktop, colorScheme = 'light' } = {}) {
    const context = await this.browser.newContext({ viewport, colorScheme });
    this.contexts.push(context);
    const page = await context.newPage();
    this.#record(page);
    await page.goto(this.origin + urlPath, { waitUntil: 'load' });
    return page;
  }

  /**
   * Opens the page and waits until the app (not the static loading text) is on screen.
   * Gives up at once if the page throws first, e.g. because the wasm failed to load.
   */
  async openApp(urlPath = '/', options = {}) {
    const page = await this.open(urlPath, options);
    const rendered = page
      .locator('h1', { hasText: 'zooscope' })
      .waitFor({ state: 'visible', timeout: APP_TIMEOUT_MS });
    const crashed = new Promise((_, reject) => page.once('pageerror', reject));
    await Promise.race([rendered, crashed]).catch((error) => {
      throw new assert.AssertionError({
        message:
          `the app did not render its h1 "zooscope" (did the wasm load?): ${error.message}\n` +
          `errors in the page:\n  ${this.errors.join('\n  ') || 'none'}`,
      });
    });
    return page;
  }

  /** Saves a PNG of the page under the output directory and returns its path. */
  async screenshot(page, name) {
    await mkdir(this.outDir, { recursive: true });
    const file = path.join(this.outDir, `${name}.png`);
    await page.screenshot({ path: file, fullPage: true });
    return file;
  }

  /** Errors matching `pattern` are expected by this case and do not fail it. */
  allowErrors(pattern) {
    this.allowed.push(pattern);
  }

  /** Throws if any page this case opened reported an error it did not expect. */
  assertNoErrors() {
    const unexpected = this.errors.filter((e) => !this.allowed.some((p) => p.test(e)));
    assert.deepEqual(unexpected, [], `errors in the page:\n  ${unexpected.join('\n  ')}`);
  }

  async close() {
    await Promise.all(this.contexts.map((c) => c.close()));
  }

  #record(page) {
    page.on('pageerror', (error) => this.errors.push(`uncaught: ${error.message}`));
    page.on('console', (message) => {
      if (message.type() === 'error') this.errors.push(`console.error: ${message.text()}`);
    });
    page.on('requestfailed', (request) =>
      this.errors.push(`request failed: ${request.url()} (${request.failure()?.errorText})`),
    );
    page.on('response', (response) => {
      if (response.status() >= 400) this.errors.push(`HTTP ${response.status()}: ${response.url()}`);
    });
  }
}
