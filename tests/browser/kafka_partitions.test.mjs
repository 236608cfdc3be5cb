// The Kafka Partitions and Log panels in Chromium (issue 11): partition rows with their
// leader and ISR hooks, a leader failover seen in the table and explained by the "why?"
// chain back to the crash, and acks=1 loss seen in the Log panel as struck-through records
// with a link to the truncation. Seeds are the URL default (1); steps were found with
// `zooscope-cli run --scenario <name> --seed 1`.

import assert from 'node:assert/strict';
import { button, cursor } from './lib/controls.mjs';

const VIEWPORT = { viewport: { width: 1280, height: 720 } };

const row = (page, name) => page.locator(`tr[data-partition="${name}"]`);

export async function kafka_default_shows_every_partition_led_with_a_full_isr(t) {
  const page = await t.openApp('/?scenario=kafka-default&step=1500&panel=partitions', VIEWPORT);
  assert.equal(await page.getByRole('tab', { name: 'Partitions' }).getAttribute('aria-selected'), 'true');
  for (const name of ['events-0', 'events-1', 'events-2', '__consumer_offsets-0']) {
    const r = row(page, name);
    assert.equal(await r.count(), 1, `${name} has a row`);
    assert.match(await r.getAttribute('data-leader'), /^[123]$/, `${name} has a leader`);
    const isr = (await r.getAttribute('data-isr')).split(',').sort();
    assert.deepEqual(isr, ['1', '2', '3'], `${name}'s ISR is full`);
    assert.equal(await r.locator('.rep.out').count(), 0);
  }
  // User topics come before the internal one.
  const names = await page.locator('tr[data-partition]').evaluateAll((rs) => rs.map((r) => r.dataset.partition));
  assert.equal(names[0], 'events-0');
  assert.match(names[names.length - 1], /^__consumer_offsets-/);
  await t.screenshot(page, 'kafka-partitions-default');
}

export async function a_crashed_leader_is_replaced_from_the_isr_and_why_leads_to_the_crash(t) {
  // kafka-leader-failover, seed 1: broker-3 leads events-0 and crashes at step 1205.
  const page = await t.openApp('/?scenario=kafka-leader-failover&step=1200&panel=partitions', VIEWPORT);
  const r = row(page, 'events-0');
  assert.equal(await r.getAttribute('data-leader'), '3');
  const isrBefore = (await r.getAttribute('data-isr')).split(',');
  assert.equal(isrBefore.length, 3);

  await page.getByRole('slider', { name: 'Speed', exact: true }).fill('50');
  await button(page, 'Play').click();
  const started = Date.now();
  while (['3', null].includes(await r.getAttribute('data-leader'))) {
    if (Date.now() - started > 60_000) throw new Error('events-0 kept leader 3 for 60 s of play');
    await page.waitForTimeout(100);
  }
  if (await button(page, 'Pause').count()) await button(page, 'Pause').click();
  const leader = await r.getAttribute('data-leader');
  assert.ok(isrBefore.includes(leader), `new leader ${leader} comes from the ISR ${isrBefore}`);
  const isrAfter = (await r.getAttribute('data-isr')).split(',');
  assert.ok(!isrAfter.includes('3') && isrAfter.length < isrBefore.length, `ISR shrank: ${isrAfter}`);
  assert.equal(await r.locator('.rep.out.down').count(), 1, 'broker 3 is marked out of sync and down');

  await button(page, 'Why? events-0').click();
  const why = page.getByRole('region', { name: 'Why?' });
  await why.waitFor();
  const text = await why.innerText();
  assert.match(text, /sends LeaderAndIsr/);
  assert.match(text, /ZooKeeper commits the state znode write, zxid 0x/);
  assert.match(text, /expires broker-3's ZooKeeper session/);
  await t.screenshot(page, 'kafka-partitions-failover-why');

  const links = why.locator('button[data-seek]');
  const steps = await links.evaluateAll((bs) => bs.map((b) => Number(b.dataset.seek)));
  assert.ok(steps.every((s, i) => i === 0 || s < steps[i - 1]), `newest first: ${steps}`);
  // Follow the chain to its end: the crash.
  await links.last().click();
  assert.equal(await cursor(page), steps[steps.length - 1]);
  assert.match(await page.locator('#now').innerText(), /broker-3 crashes/);
  // The link's nodes are ringed while the cursor is on its step.
  assert.ok((await page.locator('.kafka-parts style').count()) === 1, 'the crashed broker is highlighted');
  // At the crash step broker 3 still leads events-0.
  assert.equal(await r.getAttribute('data-leader'), '3');
  await t.screenshot(page, 'kafka-partitions-why-crash');
}

export async function acks_1_loss_shows_struck_records_in_the_log_panel(t) {
  // kafka-acks-1, seed 1: broker-2 returns and truncates events-2 at step 2556.
  const page = await t.openApp('/?scenario=kafka-acks-1&step=2600&panel=partitions', VIEWPORT);
  await button(page, 'Log of events-2').click();
  assert.equal(await page.getByRole('tab', { name: 'Log' }).getAttribute('aria-selected'), 'true');
  const select = page.getByRole('combobox', { name: 'Partition' });
  assert.equal(await select.inputValue(), 'events-2');
  const log = page.locator('table.plog');
  assert.equal(await log.getAttribute('data-partition'), 'events-2');
  assert.ok((await log.locator('del').count()) > 0, 'truncated records are struck through');
  assert.ok((await log.locator('td.hw').count()) > 0, 'a high-watermark line is drawn');
  const lost = page.getByRole('region', { name: 'Acknowledged writes lost' });
  assert.match(await lost.innerText(), /Acknowledged but lost: \d+/);
  await t.screenshot(page, 'kafka-log-acks-1-loss');
  const go = lost.locator('button[data-seek]').first();
  const target = Number(await go.getAttribute('data-seek'));
  await go.click();
  assert.equal(await cursor(page), target);
  assert.match(await page.locator('#now').innerText(), /truncated to/);

  // The picker switches partitions, by keyboard too.
  await select.focus();
  await select.selectOption('events-0');
  assert.equal(await log.getAttribute('data-partition'), 'events-0');
}
