// The Sequence panel in Chromium: one lane per node, messages as arrows named for the
// exchange (a Kafka Produce and its response; a ZooKeeper create's PROPOSAL, ACK and COMMIT),
// following the cursor; a click or Enter on an arrow seeks the timeline to its step.

import assert from 'node:assert/strict';
import { button, cursor } from './lib/controls.mjs';

const VIEW_720 = { viewport: { width: 1280, height: 720 } };

async function stepForward(page, times) {
  for (let i = 0; i < times; i++) await button(page, 'Step forward').click();
}

async function openSequence(page) {
  await page.getByRole('tab', { name: 'Sequence', exact: true }).click();
  await page.locator('svg.seq').first().waitFor();
}

/** The accessible names of every arrow. */
function arrowNames(page) {
  return page.$$eval('.seq-all .seq-arrow', (els) => els.map((e) => e.getAttribute('aria-label')));
}

export async function kafka_produce_and_its_response_are_arrows_that_seek_on_click(t) {
  const page = await t.openApp('/?scenario=kafka-default&seed=1&step=600', VIEW_720);
  await openSequence(page);
  await stepForward(page, 4);
  assert.equal(await cursor(page), 604);
  const names = await arrowNames(page);
  const produce = names.find((n) => /^Step \d+: Produce from producer to broker-\d$/.test(n));
  assert.ok(produce, `a Produce arrow among ${names.join('; ')}`);
  const response = names.find((n) => /^Step 604: ProduceResponse from broker-\d to producer$/.test(n));
  assert.ok(response, `the ProduceResponse delivered now among ${names.join('; ')}`);
  // The arrow of the current step is highlighted.
  assert.equal(await page.locator('.seq-all .seq-arrow.current').getAttribute('aria-label'), response);
  // Lanes are headed with short labels.
  const heads = await page.$$eval('.seq-all .seq-lane text', (els) => els.map((e) => e.textContent));
  for (const h of ['zk1', 'b1', 'b2', 'b3', 'p', 'c1']) assert.ok(heads.some((x) => x.startsWith(h)), `${h} in ${heads}`);
  await t.screenshot(page, 'sequence-kafka');

  const step = Number(produce.match(/^Step (\d+)/)[1]);
  await page.getByRole('button', { name: produce, exact: true }).click();
  assert.equal(await cursor(page), step);
  // The diagram follows the cursor: the Produce is now the current arrow, the response gone.
  assert.equal(await page.locator('.seq-all .seq-arrow.current').getAttribute('aria-label'), produce);
  assert.ok(!(await arrowNames(page)).includes(response));
  await page.waitForFunction((s) => new URLSearchParams(location.search).get('step') === String(s), step);
}

export async function zookeeper_create_shows_proposal_ack_and_commit_and_enter_seeks(t) {
  const page = await t.openApp('/?scenario=default&seed=1&step=56', VIEW_720);
  await openSequence(page);
  await stepForward(page, 8);
  assert.equal(await cursor(page), 64);
  const names = await arrowNames(page);
  for (const re of [
    /^Step 58: create from writer to zk1$/,
    /^Step \d+: PROPOSAL from zk3 to zk[12]$/,
    /^Step \d+: ACK from zk[12] to zk3$/,
    /^Step 64: COMMIT from zk3 to zk1$/,
    /: COMMIT from zk3 to zk2, sent, still on the wire$/,
  ]) {
    assert.ok(names.some((n) => re.test(n)), `${re} among ${names.join('; ')}`);
  }
  await t.screenshot(page, 'sequence-zookeeper');

  // Keyboard: Tab from the tab reaches the diagram; Home goes to its oldest arrow, Enter on
  // it seeks there (more in sequence_keys.test.mjs).
  await page.getByRole('tab', { name: 'Sequence', exact: true }).focus();
  let label = null;
  for (let i = 0; i < 10 && !label; i++) {
    await page.keyboard.press('Tab');
    label = await page.evaluate(() => {
      const el = document.activeElement;
      return el && el.classList.contains('seq-arrow') ? el.getAttribute('aria-label') : null;
    });
  }
  assert.ok(label, 'Tab reaches an arrow');
  await page.keyboard.press('Home');
  label = await page.evaluate(() => document.activeElement.getAttribute('aria-label'));
  const target = Number(label.match(/^Step (\d+)/)[1]);
  assert.notEqual(target, 64);
  await page.keyboard.press('Enter');
  assert.equal(await cursor(page), target);
  assert.equal(await page.locator('.seq-all .seq-arrow.current').getAttribute('aria-label'), label);
  // Focus comes back to the same arrow, redrawn.
  await page.waitForFunction((l) => document.activeElement?.getAttribute('aria-label') === l, label);
}

export async function the_sequence_follows_play_and_can_keep_only_the_nodes_involved(t) {
  const page = await t.openApp('/?scenario=default&seed=1&step=200&panel=sequence', VIEW_720);
  await page.locator('svg.seq').first().waitFor();
  const lanes = () => page.locator('.seq-lane:visible').count();
  assert.equal(await lanes(), 10);
  const only = page.getByRole('checkbox', { name: 'Only nodes involved' });
  await only.check();
  const few = await lanes();
  assert.ok(few < 10 && few >= 2, `${few} lanes involved`);
  await page.getByRole('slider', { name: 'Speed', exact: true }).fill('40');
  await button(page, 'Play').click();
  await page.waitForTimeout(1500);
  await button(page, 'Pause').click();
  const now = await cursor(page);
  assert.ok(now > 200);
  const rows = await page.$$eval('.seq-all .seq-row text', (els) => els.map((e) => Number(e.textContent)));
  assert.equal(rows[rows.length - 1], now);
  await button(page, 'Step back').click();
  const back = await page.$$eval('.seq-all .seq-row text', (els) => els.map((e) => Number(e.textContent)));
  assert.equal(back[back.length - 1], now - 1);
  await only.uncheck();
  assert.equal(await lanes(), 10);
  await t.screenshot(page, 'sequence-played');
}
