// ZooKeeper observers in the visualizer: `?scenario=zk-observers` (three voters, two
// observers). Once a leader is elected the observers are drawn with data-role="observing",
// never carry the quorum mark, have their legend entry, and the Zab log marks their columns.

import assert from 'node:assert/strict';
import { button, setSpeed } from './lib/controls.mjs';

/** Plays until `done()` holds, then pauses. */
async function playUntil(page, done, what, timeoutMs = 40_000) {
  await button(page, 'Play').click();
  const started = Date.now();
  try {
    while (!(await done())) {
      if (Date.now() - started > timeoutMs) throw new Error(`played ${timeoutMs} ms without ${what}`);
      await page.waitForTimeout(50);
    }
  } finally {
    if (await button(page, 'Pause').count()) await button(page, 'Pause').click();
  }
}

const role = (page, node) => page.locator(`[data-node="${node}"]`).getAttribute('data-role');

export async function observers_are_drawn_observing_without_a_quorum_ring_once_a_leader_is_elected(t) {
  const page = await t.openApp('/?scenario=zk-observers');
  const servers = await page.$$eval('[data-node]', (els) =>
    els.map((e) => e.dataset.node).filter((n) => n && n.startsWith('zk')),
  );
  assert.deepEqual(servers, ['zk1', 'zk2', 'zk3', 'zk4', 'zk5']);
  for (const obs of ['zk4', 'zk5']) {
    assert.ok(
      await page.locator(`[data-node="${obs}"].observer`).count(),
      `${obs} is marked as an observer before it runs`,
    );
  }
  await setSpeed(page, 40);
  await playUntil(
    page,
    async () =>
      (await page.locator('.node.leader[data-role=leading]').count()) === 1 &&
      (await role(page, 'zk4')) === 'observing' &&
      (await role(page, 'zk5')) === 'observing',
    'a leader with both observers observing',
  );
  assert.equal(await role(page, 'zk3'), 'leading', 'the highest voting sid leads');
  for (const obs of ['zk4', 'zk5']) {
    const node = page.locator(`[data-node="${obs}"]`);
    assert.equal(await node.locator('text.role').textContent(), 'OBSERVING');
    assert.equal(await page.locator(`[data-node="${obs}"].quorum`).count(), 0, `${obs} is in no quorum`);
    const ring = await node.locator('circle.ring').evaluate((el) => getComputedStyle(el).display);
    assert.equal(ring, 'none', `${obs} has no quorum ring`);
    const dash = await node.locator('circle.disc').evaluate((el) => getComputedStyle(el).strokeDasharray);
    assert.notEqual(dash, 'none', `${obs} is drawn dotted`);
  }
  assert.equal(await page.locator('.node.quorum').count(), 3, 'the three voters form the quorum');
  assert.ok(await page.locator('.legend .swatch.role-observing').count(), 'legend entry for observers');
  assert.ok(await page.locator('.legend .cat-inform').count(), 'legend entry for INFORM');
  await t.screenshot(page, 'observers-observing');

  await page.getByRole('tab', { name: 'Zab log', exact: true }).click();
  const marked = await page.$$eval('.zab-servers li.observer', (els) => els.map((e) => e.innerText));
  assert.equal(marked.length, 2, `observer rows in the Zab log: ${marked}`);
  assert.ok(marked.every((m) => m.includes('observer')));
  await t.screenshot(page, 'observers-zab-log');
}
