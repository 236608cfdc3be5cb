// The "What if…" scenarios in Chromium: a planted protocol bug (issue 13) is caught by the
// Invariants panel while the run plays — the timeline gets a violation mark, the checker's
// row turns red with the violation in words, and "Go to step" jumps to the step it fired.

import assert from 'node:assert/strict';
import { button, cursor, setSpeed, playUntil } from './lib/controls.mjs';

async function openTab(page, name) {
  await page.getByRole('tab', { name, exact: true }).click();
}

export async function the_picker_lists_at_least_three_what_if_scenarios(t) {
  const page = await t.openApp('/?scenario=default');
  const titles = await page.locator('#scenario option').allInnerTexts();
  const whatIf = titles.filter((s) => s.startsWith('What if…'));
  assert.ok(whatIf.length >= 3, `What-if entries: ${whatIf.join(' | ')}`);
  assert.ok(whatIf.some((s) => /without a quorum/.test(s)), whatIf.join(' | '));
  assert.ok(whatIf.some((s) => /truncating/.test(s)), whatIf.join(' | '));
  assert.ok(whatIf.some((s) => /never expired/.test(s)), whatIf.join(' | '));
}

export async function a_leader_committing_without_a_quorum_is_caught_marked_and_reachable(t) {
  const page = await t.openApp('/?scenario=whatif-commit-without-quorum&seed=1');
  await setSpeed(page, 40);
  // Real time is the fastest speed: the bug bites at about 17 s of simulated time.
  const mark = page.locator('.timeline-marks .tl-mark.violation');
  await playUntil(page, async () => (await mark.count()) > 0, 'a violation mark on the timeline');

  // The tab's name also carries the violation count once one is found.
  await page.getByRole('tab', { name: /^Invariants/ }).click();
  const row = page.locator('.invariant.violated', { hasText: 'zk.committed-never-lost' });
  const violated = await page.locator('.invariant.violated').allInnerTexts();
  assert.equal(await row.count(), 1, `violated rows: ${violated.join(' | ')}`);
  assert.match(await row.innerText(), /violated \d+ time/);
  const violation = page.locator('ul.violations li', { hasText: 'zk.committed-never-lost' }).first();
  assert.match(await violation.innerText(), /lacks committed txn .*a committed write was lost/);

  const go = violation.locator('button[data-seek]');
  const target = Number(await go.getAttribute('data-seek'));
  await button(page, 'Step forward').click();
  assert.notEqual(await cursor(page), target);
  await go.click();
  assert.equal(await cursor(page), target, 'Go to step did not jump to the violation');
  await t.screenshot(page, 'whatif-commit-without-quorum');
}
