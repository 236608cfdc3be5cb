// The classic ZooKeeper consumer scenario in Chromium: the page draws both consumers beside
// the brokers and the producer, plays into the group's split without any page or console
// error (this only checks the page does not break; the consumer has no panels of its own).

import assert from 'node:assert/strict';
import { button } from './lib/controls.mjs';

export async function kafka_zk_consumer_scenario_draws_two_classic_consumers(t) {
  const page = await t.openApp('/?scenario=kafka-zk-consumer');
  const nodes = await page.$$eval('[data-node]', (els) => els.map((e) => e.dataset.node));
  for (const n of ['broker-1', 'producer', 'consumer-1', 'consumer-2']) {
    assert.ok(nodes.includes(n), `${n} drawn: ${nodes}`);
  }
  await page.getByRole('slider', { name: 'Speed', exact: true }).fill('40');
  await button(page, 'Play').click();
  const started = Date.now();
  while ((await page.locator('[data-role~=controller]').count()) === 0) {
    if (Date.now() - started > 40_000) throw new Error('no controller after 40 s of play');
    await page.waitForTimeout(100);
  }
  await page.waitForTimeout(3_000);
  if (await button(page, 'Pause').count()) await button(page, 'Pause').click();
  await t.screenshot(page, 'kafka-zk-consumer');
}
