// Kafka's inputs by direct manipulation in Chromium: a broker's menu from the keyboard, a
// crashed controller replaced, a clean shutdown and a restart, a broker cut off from
// ZooKeeper only (the zombie), topic configs, acks and a burst from the producer's menu, a
// spare consumer started and a member stopped, the URL replaying all of it, and the stable
// hooks (data-kind, data-role). Every case also fails on any page or console error.

import assert from 'node:assert/strict';
import { button, cursor, playUntil as playAndPause, setSpeed } from './lib/controls.mjs';

/** kafka-default at step 1600 (~12 s): a controller, partition leaders, a stable group. */
const SETTLED = '/?scenario=kafka-default&step=1600';

/** Plays at real time (speed 40) until `done()` holds, then pauses. */
async function playUntil(page, done, what, timeoutMs = 40_000) {
  await setSpeed(page, 40);
  await playAndPause(page, done, what, timeoutMs);
}

const role = (page, label) => page.locator(`[data-node="${label}"]`).getAttribute('data-role');

async function controllerLabel(page) {
  const c = page.locator('[data-role~=controller]');
  assert.equal(await c.count(), 1, 'one controller marked');
  return c.getAttribute('data-node');
}

/**
 * Opens `label`'s menu and returns it. After playing, a message dot may rest on the node and
 * take a click (as it should: dots are inspected by clicking them), so this opens the menu
 * from the keyboard, which reaches the node wherever the dots are; clicks on nodes are tested
 * at fixed steps elsewhere.
 */
async function openMenu(page, label) {
  await page.locator(`[data-node="${label}"]`).focus();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('menu', { name: `Actions for ${label}` });
  assert.ok(await menu.isVisible(), `no menu for ${label}`);
  return menu;
}

async function choose(page, label, item) {
  const menu = await openMenu(page, label);
  await menu.getByRole('menuitem', { name: item, exact: true }).click();
}

async function menuItems(page, label) {
  const menu = await openMenu(page, label);
  const items = await menu.getByRole('menuitem').allInnerTexts();
  await page.keyboard.press('Escape');
  return items;
}

const now = (page) => page.locator('#now').innerText();

async function clusterSnapshot(page) {
  return page.locator('[data-region=cluster] .stage').innerHTML() + (await now(page));
}

async function faultMarks(page) {
  return page.locator('.timeline-marks .tl-mark.fault').count();
}

// ---- cases ------------------------------------------------------------------------------

export async function every_node_has_a_known_kind_and_a_lower_case_role(t) {
  const page = await t.openApp(SETTLED);
  const nodes = await page.$$eval('[data-node]', (els) =>
    els.map((e) => [e.dataset.node, e.dataset.kind, e.dataset.role]),
  );
  const kinds = ['zk-server', 'broker', 'producer', 'consumer', 'client'];
  for (const [label, kind, r] of nodes) {
    assert.ok(kinds.includes(kind), `${label} is a ${kind}`);
    assert.equal(r, r.toLowerCase(), `${label}'s role ${r}`);
    if (label.startsWith('consumer')) assert.equal(kind, 'consumer', label);
  }
  await controllerLabel(page);
  assert.equal(await role(page, 'consumer-3'), 'not-started');
}

export async function a_brokers_menu_opens_from_the_keyboard_and_crashing_the_controller_elects_another(t) {
  const page = await t.openApp(SETTLED);
  const old = await controllerLabel(page);
  await page.locator(`[data-node="${old}"]`).focus();
  await page.keyboard.press('Enter');
  const menu = page.getByRole('menu', { name: `Actions for ${old}` });
  assert.ok(await menu.isVisible(), 'Enter did not open the menu');
  assert.equal(await page.evaluate(() => document.activeElement.id), `menu-${old}-close`);
  const items = await menu.getByRole('menuitem').allInnerTexts();
  for (const want of [`Shut down ${old} cleanly`, `Cut ${old} off from ZooKeeper only`,
    `Cut ${old} off from the other brokers only`, `Crash ${old}`]) {
    assert.ok(items.includes(want), `${want} not in ${items}`);
  }
  assert.ok(items.every((i) => i.trim().length > 0), 'an unnamed menu item');
  await t.screenshot(page, 'kafka-inputs-broker-menu');
  // A stray Space on the focused item only closes the menu.
  await page.keyboard.press(' ');
  assert.equal(await menu.count(), 0);
  assert.equal(await role(page, old), 'broker controller');

  const marks = await faultMarks(page);
  await choose(page, old, `Crash ${old}`);
  assert.equal(await role(page, old), 'down');
  assert.ok((await faultMarks(page)) > marks, 'no timeline mark for the crash');
  await playUntil(
    page,
    async () => (await page.locator('[data-role~=controller]').count()) === 1
      && (await controllerLabel(page)) !== old,
    'a new controller',
  );
  assert.equal(await role(page, old), 'down');
  await t.screenshot(page, 'kafka-inputs-new-controller');
}

export async function a_broker_shut_down_cleanly_stops_and_restarts_from_its_menu(t) {
  const page = await t.openApp(SETTLED);
  const ctl = await controllerLabel(page);
  const b = ['broker-1', 'broker-2', 'broker-3'].find((x) => x !== ctl);
  const marks = await faultMarks(page);
  await choose(page, b, `Shut down ${b} cleanly`);
  assert.match(await now(page), /shut/i);
  assert.ok((await faultMarks(page)) > marks, 'no timeline mark');
  await playUntil(page, async () => (await role(page, b)) === 'down', `${b} to stop`, 20_000);
  assert.ok((await menuItems(page, b)).includes(`Restart ${b}`));
  await choose(page, b, `Restart ${b}`);
  assert.equal(await role(page, b), 'broker');
}

export async function a_broker_cut_off_from_zookeeper_loses_its_registration_while_still_up(t) {
  const page = await t.openApp(SETTLED);
  const ctl = await controllerLabel(page);
  const b = ['broker-1', 'broker-2', 'broker-3'].find((x) => x !== ctl);
  const id = b.split('-')[1];
  await page.getByRole('tab', { name: 'Znodes', exact: true }).click();
  const registration = page.locator(`[data-znode="/brokers/ids/${id}"]`);
  assert.equal(await registration.count(), 1, `/brokers/ids/${id} is not shown`);
  await choose(page, b, `Cut ${b} off from ZooKeeper only`);
  assert.match(await now(page), /cut off from ZooKeeper only/);
  assert.ok((await page.locator('[data-cut]').count()) > 0, 'no cut link drawn');
  await playUntil(page, async () => (await registration.count()) === 0, 'the registration to go');
  assert.notEqual(await role(page, b), 'down', 'the zombie is still up');
  await t.screenshot(page, 'kafka-inputs-zombie');
  assert.ok(!(await menuItems(page, b)).includes(`Cut ${b} off from ZooKeeper only`));
  await choose(page, b, `Heal ${b}'s cut links`);
  assert.match(await now(page), new RegExp(`Every cut link of ${b} works again`));
  assert.equal(await page.locator('[data-cut]').count(), 0);
}

export async function the_producers_menu_changes_topic_configs_and_acks_and_sends_a_burst(t) {
  const page = await t.openApp(SETTLED);
  const items = await menuItems(page, 'producer');
  for (const want of ['Set acks to 1 (now all)', 'Set acks to 0 (now all)', 'Produce a burst of 10 records',
    'Set min.insync.replicas of events to 3 (now 2)', 'Set min.insync.replicas of events to 1 (now 2)',
    'Set unclean.leader.election.enable of events to true (now false)']) {
    assert.ok(items.includes(want), `${want} not in ${items}`);
  }
  await choose(page, 'producer', 'Set min.insync.replicas of events to 3 (now 2)');
  assert.match(await now(page), /min\.insync\.replicas=3/);
  await playUntil(
    page,
    async () => (await menuItems(page, 'producer')).includes('Set min.insync.replicas of events to 2 (now 3)'),
    'the brokers to apply min.insync.replicas=3',
    20_000,
  );
  await choose(page, 'producer', 'Set acks to 1 (now all)');
  assert.match(await now(page), /acks=1/);
  await choose(page, 'producer', 'Produce a burst of 10 records');
  assert.match(await now(page), /sends 10 records/);
  await page.getByRole('tab', { name: 'Events', exact: true }).click();
  await t.screenshot(page, 'kafka-inputs-producer');
}

export async function a_spare_consumer_joins_the_group_and_a_member_is_stopped(t) {
  const page = await t.openApp(SETTLED);
  assert.equal(await page.locator('[data-node="consumer-3"]').getAttribute('data-kind'), 'consumer');
  assert.deepEqual(await menuItems(page, 'consumer-3'), ['Close menu', 'Start consumer-3']);
  await choose(page, 'consumer-3', 'Start consumer-3');
  assert.equal(await role(page, 'consumer-3'), 'consumer');
  assert.match(await now(page), /consumer-3 starts/);
  await choose(page, 'consumer-2', 'Stop consumer-2 (close: it leaves my-group)');
  assert.match(await now(page), /consumer-2/);
  await playUntil(page, async () => /gen [2-9]/.test(
    await page.locator('[data-node="consumer-3"] .detail').innerHTML()), 'a new generation with consumer-3');
  await t.screenshot(page, 'kafka-inputs-consumers');
}

export async function the_url_after_kafka_inputs_reopens_to_the_same_picture(t) {
  const page = await t.openApp(SETTLED);
  await choose(page, 'producer', 'Produce a burst of 10 records');
  await choose(page, 'producer', 'Set min.insync.replicas of events to 1 (now 2)');
  await choose(page, 'consumer-3', 'Start consumer-3');
  await choose(page, 'broker-3', 'Cut broker-3 off from ZooKeeper only');
  for (let i = 0; i < 20; i++) await button(page, 'Step forward').click();
  await page.waitForTimeout(600); // the URL is written at most every 400 ms
  const url = new URL(page.url());
  const inputs = url.searchParams.get('i');
  for (const verb of ['burst:10@6', 'topic:events/min.insync.replicas=1@', 'start:9', 'part:5-0.1.2']) {
    assert.ok(inputs.includes(verb), `${verb} not in ${inputs}`);
  }
  const again = await t.openApp(url.pathname + url.search);
  await again.waitForSelector('[data-node]');
  assert.equal(await cursor(again), await cursor(page));
  assert.equal(await clusterSnapshot(again), await clusterSnapshot(page));

  // Undo takes the last input back.
  await button(page, 'Undo').click();
  await page.waitForTimeout(600);
  assert.ok(!new URL(page.url()).searchParams.get('i').includes('part:5'), 'undo left the cut in the URL');
}

export async function a_malformed_kafka_input_in_the_url_is_skipped_with_a_notice(t) {
  const page = await t.openApp('/?scenario=kafka-default&i=5:burst:999@6,6:acks:2@6,7:topic:ev%20ents/x=1@3&step=10');
  const text = await page.getByRole('alert').innerText();
  for (const bad of ['5:burst:999@6', '6:acks:2@6']) {
    assert.ok(text.includes(`Skipped the input "${bad}"`), `nothing said about ${bad}: ${text}`);
  }
  assert.equal(await cursor(page), 10);
  assert.ok((await page.locator('[data-kind=broker]').count()) === 3);
}
