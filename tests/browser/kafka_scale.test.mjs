// The largest drawing the page offers: seven ZooKeeper servers and twelve brokers. It must
// lay out without overlaps and keep frames short while hundreds of messages fly; the frame
// figures are printed (quoted in notes), not asserted against a tight budget: these machines
// are noisy.

import assert from 'node:assert/strict';
import { button } from './lib/controls.mjs';

export async function twelve_brokers_and_seven_zookeeper_servers_fit_and_keep_frames_short(t) {
  const page = await t.openApp('/?scenario=kafka-twelve-brokers');
  const boxes = await page.$$eval('[data-kind="broker"], [data-kind="zk-server"]', (els) =>
    els.map((e) => {
      const r = e.querySelector('.disc').getBoundingClientRect();
      return { node: e.dataset.node, x: r.x, y: r.y, w: r.width, h: r.height };
    }),
  );
  assert.equal(boxes.length, 19, `19 servers and brokers drawn: ${boxes.map((b) => b.node)}`);
  for (let i = 0; i < boxes.length; i++) {
    for (const b of boxes.slice(i + 1)) {
      const a = boxes[i];
      // Circles: centres at least the two radii apart.
      const d = Math.hypot(a.x + a.w / 2 - b.x - b.w / 2, a.y + a.h / 2 - b.y - b.h / 2);
      assert.ok(d >= (Math.min(a.w, a.h) + Math.min(b.w, b.h)) / 2 - 0.5, `${a.node} and ${b.node} overlap`);
    }
  }
  await page.getByRole('slider', { name: 'Speed', exact: true }).fill('40');
  await button(page, 'Play').click();
  let most = 0;
  for (let i = 0; i < 40; i++) {
    await page.waitForTimeout(200);
    most = Math.max(most, await page.locator('[data-msg]').count());
  }
  const stats = await page.evaluate(() => window.__zooscopeFrameStats);
  await button(page, 'Pause').click();
  assert.ok(stats && stats.frames > 30, `no frame statistics: ${JSON.stringify(stats)}`);
  console.log(
    `      frame time, 7 ZooKeeper servers + 12 brokers: median ${stats.medianMs.toFixed(2)} ms, ` +
      `p95 ${stats.p95Ms.toFixed(2)} ms (${stats.stepsPerFrame.toFixed(1)} steps/frame, ` +
      `${stats.frames} frames), up to ${most} messages drawn in flight`,
  );
  assert.ok(stats.medianMs <= 50, `median frame ${stats.medianMs} ms`);
  assert.ok(await page.locator('[data-role~=controller]').count() === 1, 'one controller marked');
  await t.screenshot(page, 'kafka-twelve-brokers');
}
