// A Kafka scenario in Chromium: the page draws brokers and a producer, plays without any page
// or console error, and marks the controller broker (the full Kafka visualizer is another
// issue; this only checks the page does not break).

import assert from 'node:assert/strict';
import { button } from './lib/controls.mjs';

export async function kafka_default_scenario_draws_brokers_and_a_controller(t) {
  const page = await t.openApp('/?scenario=kafka-default');
  const nodes = await page.$$eval('[data-node]', (els) => els.map((e) => e.dataset.node));
  for (const b of ['broker-1', 'broker-2', 'broker-3', 'producer']) {
    assert.ok(nodes.includes(b), `${b} drawn: ${nodes}`);
  }
  await page.getByRole('slider', { name: 'Speed', exact: true }).fill('40');
  await button(page, 'Play').click();
  const started = Date.now();
  while ((await page.locator('[data-role~=controller]').count()) === 0) {
    if (Date.now() - started > 40_000) throw new Error('no controller after 40 s of play');
    await page.waitForTimeout(100);
  }
  if (await button(page, 'Pause').count()) await button(page, 'Pause').click();
  await t.screenshot(page, 'kafka-controller');
}

export async function the_page_opens_on_kafka_on_zookeeper_and_keeps_zookeeper_scenarios(t) {
  const page = await t.openApp('/');
  await page.locator('[data-node="broker-1"]').waitFor({ timeout: 15_000 });
  const kinds = await page.$$eval('[data-node]', (els) => [...new Set(els.map((e) => e.dataset.kind))]);
  assert.ok(kinds.includes('broker') && kinds.includes('zk-server'), `kinds drawn: ${kinds}`);
  const picker = page.getByRole('combobox', { name: 'Scenario' });
  assert.equal(await picker.inputValue(), 'kafka-default');
  // A scenario opens on its own first tab: Kafka's partitions.
  const tab = page.getByRole('tab', { name: 'Partitions', exact: true });
  assert.equal(await tab.getAttribute('aria-selected'), 'true');
  // ZooKeeper's own scenarios are still one choice away.
  const options = await picker.locator('option').evaluateAll((os) => os.map((o) => o.value));
  for (const s of ['default', 'zk-faults', 'kafka-leader-failover']) {
    assert.ok(options.includes(s), `the picker offers ${s}: ${options}`);
  }
  await picker.selectOption('default');
  await page.locator('[data-node="zk1"]').waitFor({ timeout: 15_000 });
  assert.equal(await page.locator('[data-kind="broker"]').count(), 0);
}
