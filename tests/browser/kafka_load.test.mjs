// The heaviest picture the page draws: kafka-load (seven ZooKeeper servers, twelve brokers,
// ten acks=all producers, four consumers) with 300 and more real messages on the wire. The
// frame figures (advance + render, as `window.__zooscopeFrameStats` times them) are printed,
// not asserted against a tight budget: these machines are noisy and shared.

import assert from 'node:assert/strict';
import { button } from './lib/controls.mjs';

// Just before the producers' first records land (about 9.2 s into the run).
const START_STEP = 12_000;

export async function kafka_load_draws_three_hundred_messages_in_flight_and_times_its_frames(t) {
  const page = await t.openApp(`/?scenario=kafka-load&step=${START_STEP}`);
  assert.equal(await page.locator('[data-kind="broker"]').count(), 12, 'twelve brokers');
  assert.equal(await page.locator('[data-kind="zk-server"]').count(), 7, 'seven ZooKeeper servers');
  // Real time (level 40): the simulation needs more steps than a frame allows, so every
  // frame steps for what drawing leaves of its budget (the run slows down) and then draws.
  await page.getByRole('slider', { name: 'Speed', exact: true }).fill('40');
  await button(page, 'Play').click();
  let most = 0;
  let stats = null;
  for (let i = 0; i < 100; i++) {
    await page.waitForTimeout(250);
    const n = await page.locator('[data-msg]').count();
    most = Math.max(most, n);
    const s = await page.evaluate(() => window.__zooscopeFrameStats);
    // 120 frames inside the loaded stretch, and the picture at 300 or more.
    if (n >= 300 && s && s.frames >= 150) {
      stats = s;
      break;
    }
  }
  stats = stats ?? (await page.evaluate(() => window.__zooscopeFrameStats));
  await button(page, 'Pause').click();
  const drawn = await page.locator('[data-msg]').count();
  const step = await page.locator('#now .now-step').textContent();
  assert.ok(stats && stats.frames > 30, `no frame statistics: ${JSON.stringify(stats)}`);
  console.log(
    `      kafka-load frame time (advance + render): median ${stats.medianMs.toFixed(2)} ms, ` +
      `p95 ${stats.p95Ms.toFixed(2)} ms, max ${stats.maxMs.toFixed(2)} ms ` +
      `(${stats.stepsPerFrame.toFixed(1)} steps/frame, ${stats.frames} frames); ` +
      `up to ${most} message dots drawn, ${drawn} at ${step}`,
  );
  assert.ok(most >= 300, `at most ${most} message dots drawn at once`);
  assert.ok(stats.medianMs <= 50, `median frame ${stats.medianMs} ms`);
  await t.screenshot(page, 'kafka-load');
}
