// Time that fits a person (issue 12) in Chromium: with quiet time skipped at the default
// speed a crashed leader is replaced within seconds of wall time while messages still glide;
// "run to the next election" stops on the step the new leader is established; turning
// skipping off restores proportional time; 1000× keeps frames short.

import assert from 'node:assert/strict';
import { button, cursor } from './lib/controls.mjs';

const leader = (page) => page.locator('.node.leader[data-role=leading]');
const skipBox = (page) => page.getByRole('checkbox', { name: 'Skip quiet time', exact: true });

async function hasLeader(page) {
  return (await leader(page).count()) === 1 && (await page.locator('[data-role=following]').count()) > 0;
}

/** Simulated seconds shown in the readout (`… · 12.345s`). */
async function simSeconds(page) {
  const text = await page.locator('#step-readout').innerText();
  return Number(text.match(/([\d.]+)s$/)[1]);
}

async function waitFor(page, done, what, timeoutMs) {
  const started = Date.now();
  while (!(await done())) {
    if (Date.now() - started > timeoutMs) throw new Error(`${timeoutMs} ms without ${what}`);
    await page.waitForTimeout(25);
  }
  return Date.now() - started;
}

async function crashLeader(page) {
  const old = await leader(page).getAttribute('data-node');
  await page.locator(`[data-node="${old}"]`).click();
  await page.getByRole('menuitem', { name: `Crash ${old}`, exact: true }).click();
  return old;
}

export async function skipping_quiet_time_replaces_a_crashed_leader_within_seconds(t) {
  const page = await t.openApp('/?scenario=default');
  assert.ok(await skipBox(page).isChecked(), 'skip quiet time is not on by default');
  assert.match(await page.locator('.speed-text').innerText(), /1\/25 of real time: 1 s shows 40 ms/);
  await button(page, 'Play').click();
  await waitFor(page, () => hasLeader(page), 'a first leader', 30_000);
  // Watch a moment, as a person would, until the clients have their sessions.
  await waitFor(page, async () => (await simSeconds(page)) >= 3, '3 s of simulated time', 30_000);
  await button(page, 'Pause').click();
  const old = await crashLeader(page);
  await button(page, 'Play').click();
  const started = Date.now();
  let framesWithDots = 0;
  const elapsed = await waitFor(
    page,
    async () => {
      if ((await page.locator('[data-msg]').count()) > 0) framesWithDots++;
      return (await hasLeader(page)) && (await leader(page).getAttribute('data-node')) !== old;
    },
    'a new leader',
    10_000,
  );
  await button(page, 'Pause').click();
  console.log(`      leader crash to new leader at default settings: ${elapsed} ms of wall time`);
  assert.ok(Date.now() - started < 10_000);
  assert.ok(framesWithDots > 5, `messages were hardly animated (${framesWithDots} samples with dots)`);
  // The jumps left breaks on the timeline, and the history says what was skipped.
  assert.ok((await page.locator('.timeline-breaks .tl-break').count()) >= 1, 'no compressed gap on the timeline');
  const label = await page.locator('.tl-break').first().getAttribute('aria-label');
  assert.match(label, /⏩ [\d.]+ (s|min) later: /);
  await t.screenshot(page, 'time-new-leader-skipping');
}

export async function run_to_the_next_election_lands_where_the_new_leader_is_established(t) {
  const page = await t.openApp('/?scenario=default');
  await button(page, 'next election').click();
  await leader(page).waitFor({ timeout: 5_000 });
  const first = await leader(page).getAttribute('data-node');
  assert.match(await page.locator('#run-to-result').innerText(), /Ran to the next election/);
  // The cause is highlighted: the new leader's ring.
  const stroke = await page
    .locator(`[data-node="${first}"] .ring`)
    .evaluate((e) => getComputedStyle(e).strokeWidth);
  assert.equal(stroke, '4px');
  // Crash it, then run to the next election: it stops on the step the new one leads.
  // Run on to a few commits first (the followers sync, clients write).
  for (let i = 0; i < 3; i++) {
    const before = await cursor(page);
    await button(page, 'next commit').click();
    await page.waitForFunction((b) => !document.querySelector('#step-readout').textContent.includes(`step ${b} `), before);
    assert.match(await page.locator('#run-to-result').innerText(), /Ran to the next commit/);
  }
  const old = await leader(page).getAttribute('data-node');
  await crashLeader(page);
  await page.locator('#controls').click({ position: { x: 2, y: 2 } });
  await page.keyboard.press('e');
  await page.locator('#run-to-result').filter({ hasText: 'LEADING' }).waitFor({ timeout: 10_000 });
  const landed = Number(await page.locator('#run-to-result').getAttribute('data-step'));
  assert.equal(await cursor(page), landed);
  const now = await page.locator('#now').innerText();
  assert.match(now, /LEADING/);
  const newLeader = await page.locator('[data-role=leading]').getAttribute('data-node');
  assert.notEqual(newLeader, old);
  // One step earlier nobody led yet.
  await button(page, 'Step back').click();
  assert.equal(await page.locator(`[data-node="${newLeader}"]`).getAttribute('data-role'), 'looking');
  await t.screenshot(page, 'time-run-to-election');
}

export async function turning_skipping_off_restores_proportional_time(t) {
  const page = await t.openApp('/?scenario=default');
  await button(page, 'Play').click();
  await waitFor(page, () => hasLeader(page), 'a first leader', 30_000);
  await button(page, 'Pause').click();
  await skipBox(page).uncheck();
  assert.equal(await skipBox(page).isChecked(), false);
  // Real time: simulated time advances with wall time, never faster.
  await page.getByRole('slider', { name: 'Speed', exact: true }).fill('40');
  assert.equal(await page.locator('.speed-text').innerText(), 'real time');
  const sim0 = await simSeconds(page);
  const wall0 = Date.now();
  await button(page, 'Play').click();
  await page.waitForTimeout(2_000);
  await button(page, 'Pause').click();
  const simDelta = (await simSeconds(page)) - sim0;
  const wallDelta = (Date.now() - wall0) / 1000;
  assert.ok(simDelta <= wallDelta + 0.05, `simulated ${simDelta} s in ${wallDelta} s of wall time`);
  assert.equal(await page.locator('#now').innerText().then((s) => s.includes('⏩')), false);
  // With skipping back on (the `s` key), quiet time is jumped over: time runs ahead of the wall.
  await page.locator('#controls').click({ position: { x: 2, y: 2 } });
  await page.keyboard.press('s');
  assert.ok(await skipBox(page).isChecked());
  const sim1 = await simSeconds(page);
  await button(page, 'Play').click();
  await page.waitForTimeout(2_000);
  await button(page, 'Pause').click();
  assert.ok((await simSeconds(page)) - sim1 > 2.5, 'skipping did not run ahead of the wall clock');
}

export async function a_thousand_times_real_time_keeps_frames_short_with_seven_servers(t) {
  const page = await t.openApp('/?scenario=default&servers=7');
  const speed = page.getByRole('slider', { name: 'Speed', exact: true });
  assert.equal(await speed.getAttribute('max'), '70');
  await speed.fill('70');
  assert.match(await page.locator('.speed-text').innerText(), /^1000× real time: 1 s shows 17 min$/);
  // `]` and `[` reach the top of the scale and come back from it.
  await page.locator('#controls').click({ position: { x: 2, y: 2 } });
  await page.keyboard.press('[');
  assert.equal(await speed.inputValue(), '67');
  await page.keyboard.press(']');
  await page.keyboard.press(']');
  assert.equal(await speed.inputValue(), '70');
  await button(page, 'Play').click();
  await page.waitForTimeout(6_000);
  const stats = await page.evaluate(() => window.__zooscopeFrameStats);
  await button(page, 'Pause').click();
  assert.ok(stats && stats.frames > 30, `no frame statistics: ${JSON.stringify(stats)}`);
  console.log(
    `      frame time, 7 servers at 1000×: median ${stats.medianMs.toFixed(2)} ms, ` +
      `p95 ${stats.p95Ms.toFixed(2)} ms, max ${stats.maxMs.toFixed(2)} ms ` +
      `(${stats.stepsPerFrame.toFixed(1)} steps/frame, ${stats.frames} frames)`,
  );
  assert.ok(stats.medianMs <= 16, `median frame ${stats.medianMs} ms`);
  assert.ok((await simSeconds(page)) > 60, 'a thousand times real time did not get far');
  await t.screenshot(page, 'time-1000x');
}
