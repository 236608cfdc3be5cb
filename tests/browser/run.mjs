#!/usr/bin/env node
// Runs the browser tests: every exported async function in tests/browser/*.test.mjs is a
// case, run against the built page (dist/) served locally, in the system Chromium.
//
//   node tests/browser/run.mjs [--dist DIR] [--out DIR] [--filter TEXT]
//
// Prints one line per case and then `browser: N passed, N failed`; exits non-zero on any
// failure. Screenshots go to --out (default target/browser).

import assert from 'node:assert/strict';
import { readdir } from 'node:fs/promises';
import path from 'node:path';
import { fileURLToPath, pathToFileURL } from 'node:url';
import { parseArgs } from 'node:util';
import { chromium } from 'playwright-core';

import { SUBPATH, TestContext } from './lib/harness.mjs';
import { serveDirectory } from './lib/static-server.mjs';

const HERE = path.dirname(fileURLToPath(import.meta.url));
const ROOT = path.resolve(HERE, '../..');
const CASE_TIMEOUT_MS = 60_000;

const CHROMIUM_ARGS = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
  '--no-first-run',
  '--disable-quic',
];

async function main() {
  const { values } = parseArgs({
    options: {
      dist: { type: 'string', default: path.join(ROOT, 'dist') },
      out: { type: 'string', default: path.join(ROOT, 'target', 'browser') },
      filter: { type: 'string', default: '' },
    },
  });
  const cases = await loadCases(values.filter);
  const server = await serveDirectory(values.dist, { mounts: [SUBPATH] });
  const browser = await chromium.launch({
    executablePath: process.env.CHROMIUM ?? '/usr/bin/chromium',
    args: CHROMIUM_ARGS,
  });
  let passed = 0;
  let failed = 0;
  try {
    for (const testCase of cases) {
      const ok = await runCase(testCase, { browser, origin: server.origin, outDir: values.out });
      ok ? passed++ : failed++;
    }
  } finally {
    await browser.close();
    await server.close();
  }
  console.log(`browser: ${passed} passed, ${failed} failed`);
  process.exitCode = failed === 0 && passed > 0 ? 0 : 1;
}

/** Every exported function of every *.test.mjs file, as { name, run }. */
async function loadCases(filter) {
  const files = (await readdir(HERE)).filter((f) => f.endsWith('.test.mjs')).sort();
  const cases = [];
  for (const file of files) {
    const module = await import(pathToFileURL(path.join(HERE, file)).href);
    for (const [name, run] of Object.entries(module)) {
      const fullName = `${file.replace(/\.test\.mjs$/, '')} › ${name.replaceAll('_', ' ')}`;
      if (typeof run === 'function' && fullName.includes(filter)) cases.push({ name: fullName, run });
    }
  }
  return cases;
}

async function runCase({ name, run }, options) {
  const t = new TestContext(options);
  const started = Date.now();
  try {
    await withTimeout(run(t), CASE_TIMEOUT_MS);
    t.assertNoErrors();
    console.log(`ok    ${name} (${Date.now() - started} ms)`);
    return true;
  } catch (error) {
    console.log(`FAIL  ${name} (${Date.now() - started} ms)\n      ${indent(error)}`);
    return false;
  } finally {
    await t.close().catch(() => {});
  }
}

function withTimeout(promise, ms) {
  let timer;
  const timeout = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`timed out after ${ms} ms`)), ms);
  });
  return Promise.race([promise, timeout]).finally(() => clearTimeout(timer));
}

// The message (and, for unexpected errors, the stack), without terminal colour codes.
function indent(error) {
  const text = error instanceof assert.AssertionError || !error?.stack ? error.message : error.stack;
  return String(text ?? error)
    .replace(/\x1b\[[0-9;]*m/g, '')
    .split('\n')
    .join('\n      ');
}

main().catch((error) => {
  console.error(error);
  console.log('browser: 0 passed, 1 failed');
  process.exitCode = 1;
});
