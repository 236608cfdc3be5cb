// The visualizer end to end in Chromium: playing the default ZooKeeper scenario, breaking it
// by direct manipulation (crash the leader, cut the network, drop a message, expire a
// session), time travel, the URL, the keyboard, accessibility and frame time. Every case
// also fails on any page or console error (see lib/harness.mjs).

import assert from 'node:assert/strict';

import { VIEWPORTS } from './lib/harness.mjs';
import { button, cursor, setSpeed, playUntil } from './lib/controls.mjs';

// ---- helpers ----------------------------------------------------------------------------

/** [label, role] of every node in the drawing. */
function roles(page) {
  return page.$$eval('[data-node]', (els) => els.map((e) => [e.dataset.node, e.dataset.role]));
}

/** Steps forward one event at a time until `done()` holds. */
async function stepUntil(page, done, what, maxSteps = 400) {
  for (let i = 0; i < maxSteps; i++) {
    if (await done()) return;
    await button(page, 'Step forward').click();
  }
  throw new Error(`${maxSteps} steps (to step ${await cursor(page)}) without ${what}`);
}

/** An established leader: LEADING with its quorum (the page marks it with class "leader"). */
const leader = (page) => page.locator('.node.leader[data-role=leading]');

async function hasLeader(page) {
  return (await leader(page).count()) === 1 && (await page.locator('[data-role=following]').count()) > 0;
}

/** What the cluster region shows: the drawing and the narration. */
async function clusterSnapshot(page) {
  return page.locator('[data-region=cluster] .stage').innerHTML() + (await page.locator('#now').innerText());
}

async function openTab(page, name) {
  await page.getByRole('tab', { name, exact: true }).click();
}

// ---- cases ------------------------------------------------------------------------------

export async function default_scenario_plays_messages_and_elects_a_leader(t) {
  const page = await t.openApp('/?scenario=default');
  const nodes = await roles(page);
  assert.deepEqual(
    nodes.filter(([label]) => label.startsWith('zk')).map(([label]) => label),
    ['zk1', 'zk2', 'zk3'],
  );
  assert.ok(nodes.some(([, role]) => role === 'client' || role === 'down'), 'no client nodes');
  assert.match(await page.locator('#now').innerText(), /Press Play/);
  await t.screenshot(page, 'start');

  let sawDots = false;
  await playUntil(
    page,
    async () => {
      sawDots ||= (await page.locator('[data-msg]').count()) > 0;
      return sawDots && (await hasLeader(page));
    },
    'message dots and a leader',
  );
  assert.ok(sawDots, 'no message dot was ever drawn');
  assert.equal(await page.locator('[data-role=leading]').count(), 1);
  assert.ok((await page.locator('.timeline-marks .tl-mark.election').count()) >= 1, 'no election mark');
  await t.screenshot(page, 'leader-elected');
}

export async function crashing_the_leader_by_clicking_it_elects_a_new_one(t) {
  const page = await t.openApp('/?scenario=default');
  await setSpeed(page, 40);
  await playUntil(page, () => hasLeader(page), 'a leader');
  const old = await leader(page).getAttribute('data-node');

  await page.locator(`[data-node="${old}"]`).click();
  await page.getByRole('menuitem', { name: `Crash ${old}`, exact: true }).click();
  assert.equal(await page.locator(`[data-node="${old}"]`).getAttribute('data-role'), 'down');
  assert.match(await page.locator('#now').innerText(), new RegExp(`${old} crashes`));
  assert.ok((await page.locator('.timeline-marks .tl-mark.fault').count()) >= 1, 'no fault mark');

  await playUntil(
    page,
    async () => (await hasLeader(page)) && (await leader(page).getAttribute('data-node')) !== old,
    'a new leader',
  );
  assert.equal(await page.locator(`[data-node="${old}"]`).getAttribute('data-role'), 'down');
  await t.screenshot(page, 'new-leader-after-crash');
}

export async function step_back_restores_the_previous_picture(t) {
  const page = await t.openApp('/?scenario=default');
  await stepUntil(page, async () => (await cursor(page)) >= 40, 'step 40');
  const before = await clusterSnapshot(page);
  await button(page, 'Step forward').click();
  assert.equal(await cursor(page), 41);
  assert.notEqual(await clusterSnapshot(page), before, 'a step changed nothing in the picture');
  await button(page, 'Step back').click();
  assert.equal(await cursor(page), 40);
  assert.equal(await clusterSnapshot(page), before);
}

export async function a_clients_write_shows_in_the_znode_tree_with_its_zxid(t) {
  const page = await t.openApp('/?scenario=default');
  await setSpeed(page, 40);
  const config = page.locator('[data-znode="/config"]');
  await playUntil(page, async () => (await config.count()) === 1, 'a /config znode');
  const zxid = await config.getAttribute('data-zxid');
  assert.match(zxid, /^0x[0-9a-f]+$/);
  assert.notEqual(zxid, '0x0');
  // The row names the zxid and the step that committed it; the link goes there.
  const link = config.locator('button[data-seek]');
  assert.match(await link.innerText(), new RegExp(`${zxid} · step \\d+`));
  const step = Number(await link.getAttribute('data-seek'));
  await link.click();
  assert.equal(await cursor(page), step);
  await t.screenshot(page, 'znodes');
}

export async function an_ephemeral_disappears_when_its_session_is_expired(t) {
  const page = await t.openApp('/?scenario=default');
  await setSpeed(page, 40);
  const members = page.locator('[data-znode^="/members/"][data-owner]');
  await playUntil(page, async () => (await members.count()) > 0, 'a group member znode');
  const session = await members.first().getAttribute('data-owner');

  await openTab(page, 'Sessions');
  const row = page.locator(`[data-session="${session}"]`);
  const client = await row.getAttribute('data-client');
  assert.match(await row.innerText(), /ephemerals: \/members\//);
  await t.screenshot(page, 'sessions');
  await row.getByRole('button', { name: `Expire session of ${client}`, exact: true }).click();

  await openTab(page, 'Znodes');
  const owned = page.locator(`[data-owner="${session}"]`);
  await stepUntil(page, async () => (await owned.count()) === 0, `the ephemerals of ${session} to go`);
  await openTab(page, 'Events');
  assert.match(await page.locator('ol.events').innerText(), /expired by hand/);
}

export async function reloading_the_url_reproduces_the_same_run(t) {
  const page = await t.openApp('/?scenario=default');
  await setSpeed(page, 40);
  await playUntil(page, () => hasLeader(page), 'a leader');
  const follower = await page.locator('[data-role=following]').first().getAttribute('data-node');
  await page.locator(`[data-node="${follower}"]`).click();
  await page.getByRole('menuitem', { name: `Crash ${follower}`, exact: true }).click();
  for (let i = 0; i < 5; i++) await button(page, 'Step forward').click();
  await openTab(page, 'Events');
  await page.waitForFunction(() => /[?&]step=\d+/.test(location.search) && /[?&]i=/.test(location.search));
  await page.waitForTimeout(600); // the URL is written at most every 400 ms
  const url = new URL(page.url());
  assert.match(url.search, new RegExp(`step=${await cursor(page)}`));
  assert.match(url.search, /panel=events/);

  const again = await t.openApp(url.pathname + url.search);
  await again.waitForSelector('[data-node]');
  assert.equal(await cursor(again), await cursor(page));
  assert.deepEqual(await roles(again), await roles(page));
  assert.equal(await again.locator('#now').innerText(), await page.locator('#now').innerText());
  assert.equal(await again.getByRole('tab', { name: 'Events' }).getAttribute('aria-selected'), 'true');
  assert.equal(await clusterSnapshot(again), await clusterSnapshot(page));
}

export async function keyboard_shortcuts_work(t) {
  const page = await t.openApp('/?scenario=default');
  await page.locator('.tagline').click(); // focus on the page, not on a control
  await page.keyboard.press('ArrowRight');
  await page.keyboard.press('ArrowRight');
  assert.equal(await cursor(page), 2);
  await page.keyboard.press('ArrowLeft');
  assert.equal(await cursor(page), 1);
  assert.match(await page.locator('#live').innerText(), /^Step 1: /);

  await page.keyboard.press(' ');
  assert.equal(await button(page, 'Pause').count(), 1, 'space did not start playback');
  await page.keyboard.press(' ');
  assert.equal(await button(page, 'Play').count(), 1, 'space did not pause');

  const speed = page.getByRole('slider', { name: 'Speed', exact: true });
  const level = Number(await speed.inputValue());
  await page.keyboard.press(']');
  assert.ok(Number(await speed.inputValue()) > level, '] did not speed up');
  await page.keyboard.press('[');
  await page.keyboard.press('[');
  assert.ok(Number(await speed.inputValue()) < level, '[ did not slow down');

  await page.keyboard.press('?');
  const help = page.getByRole('dialog', { name: 'How to use zooscope' });
  assert.ok(await help.isVisible(), '? did not open the help');
  await t.screenshot(page, 'help');
  await page.keyboard.press('Escape');
  assert.equal(await help.count(), 0, 'Escape did not close the help');

  // Servers are focusable; Enter opens their menu, Escape closes it.
  await page.locator('[data-node="zk1"]').focus();
  await page.keyboard.press('Enter');
  assert.ok(await page.getByRole('menu', { name: 'Actions for zk1' }).isVisible());
  await page.keyboard.press('Escape');
  assert.equal(await page.getByRole('menu').count(), 0);
}

export async function partition_mode_cuts_links_and_heal_restores_them(t) {
  const page = await t.openApp('/?scenario=default');
  await stepUntil(page, async () => (await cursor(page)) >= 30, 'step 30');
  await button(page, 'Partition…').click();
  await page.locator('[data-node="zk1"]').click();
  assert.match(await page.locator('.partition-bar').innerText(), /Group B: zk1/);
  await button(page, 'Apply partition').click();
  assert.ok((await page.locator('[data-cut]').count()) >= 2, 'no cut link drawn');
  assert.ok(await page.locator('[data-cut="zk1-zk2"]').count(), 'zk1-zk2 is not cut');
  await t.screenshot(page, 'partition');
  await button(page, 'Heal network').click();
  assert.equal(await page.locator('[data-cut]').count(), 0);
  assert.match(await page.locator('#now').innerText(), /network heals/);
}

export async function a_message_can_be_inspected_held_and_dropped(t) {
  const page = await t.openApp('/?scenario=default');
  await stepUntil(page, async () => (await page.locator('[data-msg]').count()) > 1, 'two messages on the wire');
  const dot = page.locator('[data-msg]').first();
  const id = await dot.getAttribute('data-msg-id');
  await dot.click({ force: true });
  const inspector = page.getByRole('dialog', { name: `Message #${id}` });
  assert.ok(await inspector.isVisible(), 'no inspector');
  await t.screenshot(page, 'message-inspector');
  await inspector.getByRole('button', { name: 'Hold message' }).click();
  assert.equal(await page.locator(`[data-msg-id="${id}"]`).getAttribute('class').then((c) => c.includes('held')), true);
  await inspector.getByRole('button', { name: 'Drop message' }).click();
  assert.equal(await page.locator(`[data-msg-id="${id}"]`).count(), 0, 'the dropped message is still drawn');
  const step = await cursor(page);
  await button(page, 'Step back').click();
  assert.equal(await cursor(page), step - 1);
  assert.equal(await page.locator(`[data-msg-id="${id}"]`).count(), 1, 'step back did not bring it back');
}

export async function the_events_panel_lists_steps_and_seeks_on_click(t) {
  const page = await t.openApp('/?scenario=default');
  await stepUntil(page, async () => (await cursor(page)) >= 25, 'step 25');
  await openTab(page, 'Events');
  const rows = page.locator('ol.events button[data-seek]');
  assert.equal(await rows.count(), 25);
  assert.equal(await rows.first().getAttribute('data-seek'), '25');
  await rows.nth(10).click();
  assert.equal(await cursor(page), 15);
  await page.getByRole('combobox', { name: 'Show events of kind' }).selectOption('election');
  const texts = await page.locator('ol.events .ev-text').allInnerTexts();
  assert.ok(texts.length > 0 && texts.length < 15, `${texts.length} election rows`);
  await t.screenshot(page, 'events');
}

export async function the_zab_log_and_invariants_panels_show_the_run(t) {
  const page = await t.openApp('/?scenario=default');
  await setSpeed(page, 40);
  await playUntil(page, async () => (await page.locator('[data-znode="/config"]').count()) === 1, 'a write');
  await openTab(page, 'Zab log');
  const zab = page.locator('table.zab');
  assert.ok(await zab.isVisible(), 'no Zab log table');
  assert.ok((await zab.locator('td.cell.committed').count()) > 0, 'no committed cell');
  await t.screenshot(page, 'zab-log');
  await openTab(page, 'Invariants');
  const items = page.locator('.invariant');
  assert.ok((await items.count()) > 0, 'no invariants listed');
  assert.equal(await page.locator('.invariant.violated').count(), 0);
}

export async function a_malformed_url_says_so_and_falls_back(t) {
  const page = await t.openApp('/?scenario=nope&seed=abc&servers=42&i=5:fly:2,oops&step=zz&panel=secret');
  const notice = page.getByRole('alert');
  assert.ok(await notice.isVisible(), 'no notice');
  const text = await notice.innerText();
  for (const key of ['scenario', 'seed', 'servers', 'step', 'panel']) {
    assert.match(text, new RegExp(`link's ${key} `), `nothing said about ${key}`);
  }
  assert.match(text, /Skipped the input "5:fly:2"/);
  assert.deepEqual(
    (await roles(page)).filter(([l]) => l.startsWith('zk')).map(([l]) => l),
    ['zk1', 'zk2', 'zk3'],
  );
  await t.screenshot(page, 'malformed-url');
  await button(page, 'Dismiss').click();
  assert.equal(await page.getByRole('alert').count(), 0);
}

export async function ensemble_size_and_scenario_pickers_rebuild_the_run(t) {
  const page = await t.openApp('/?scenario=default');
  await page.getByRole('combobox', { name: 'Ensemble size' }).selectOption('5');
  const servers = (await roles(page)).filter(([l]) => l.startsWith('zk'));
  assert.equal(servers.length, 5);
  await page.waitForFunction(() => /servers=5/.test(location.search));
  await page.getByRole('combobox', { name: 'Scenario' }).selectOption('heartbeat');
  assert.ok((await roles(page)).every(([, r]) => r === 'member' || r === 'down'));
  const seed = page.getByRole('textbox', { name: 'Seed' });
  const before = await seed.inputValue();
  await button(page, 'New seed').click();
  assert.notEqual(await seed.inputValue(), before);
  await seed.fill('42');
  await seed.press('Enter');
  await page.waitForFunction(() => /seed=42/.test(location.search));
  await button(page, 'Reset').click();
  assert.equal(await cursor(page), 0);
}

export async function clicks_and_keys_everywhere_never_panic(t) {
  const page = await t.openApp('/?scenario=default');
  await setSpeed(page, 40);
  await button(page, 'Play').click();
  for (const tab of ['Znodes', 'Zab log', 'Sessions', 'Events', 'Invariants']) {
    await openTab(page, tab);
    await page.waitForTimeout(150);
  }
  await button(page, 'Pause').click();
  for (const key of ['ArrowLeft', 'ArrowRight', ']', '[', ' ', ' ', 'Escape', 'Home', 'End', 'x', '?', 'Escape']) {
    await page.keyboard.press(key);
  }
  // Crash and restart every server, twice over, stepping in between.
  for (const label of ['zk1', 'zk2', 'zk3', 'zk1']) {
    await page.locator(`[data-node="${label}"]`).click();
    const item = page.getByRole('menu').getByRole('menuitem').first();
    await item.click();
    await button(page, 'Step forward').click();
  }
  await page.getByRole('slider', { name: 'Timeline', exact: true }).fill('3');
  assert.equal(await cursor(page), 3);
  for (let i = 0; i < 3; i++) await button(page, 'Step back').click();
  assert.equal(await cursor(page), 0);
  assert.ok(await button(page, 'Step back').isDisabled(), 'Step back is enabled at step 0');
  await page.keyboard.press('ArrowLeft'); // at step 0: nothing to undo, nothing breaks
  assert.equal(await page.locator('#panic-overlay').count(), 0, 'the page panicked');
}

export async function every_control_has_an_accessible_name_and_steps_are_announced(t) {
  const page = await t.openApp('/?scenario=default');
  for (const name of ['Play', 'Step forward', 'Step back', 'New seed', 'Reset', 'Help', 'Partition…', 'Heal network']) {
    assert.equal(await button(page, name).count(), 1, `no "${name}" button`);
  }
  for (const name of ['Speed', 'Timeline']) {
    assert.equal(await page.getByRole('slider', { name, exact: true }).count(), 1, `no "${name}" slider`);
  }
  const unnamed = await page.$$eval('button, input, select, [role=button], [tabindex="0"]', (els) =>
    els
      .filter((e) => {
        const label = e.getAttribute('aria-label') || e.textContent.trim() || (e.labels && e.labels[0]?.textContent.trim());
        return !label;
      })
      .map((e) => e.outerHTML.slice(0, 80)),
  );
  assert.deepEqual(unnamed, []);
  const live = page.locator('[aria-live=polite]');
  await button(page, 'Step forward').click();
  assert.match(await live.innerText(), /^Step 1: \S/);
}

export async function reduced_motion_and_dark_theme(t) {
  const page = await t.openApp('/?scenario=default', { colorScheme: 'dark' });
  await page.emulateMedia({ reducedMotion: 'reduce' });
  await setSpeed(page, 40);
  await playUntil(page, () => hasLeader(page), 'a leader');
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const [r, g, b] = background.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 150, `background ${background} is not dark`);
  await t.screenshot(page, 'dark');
}

export async function seven_servers_frame_time_is_measured(t) {
  const page = await t.openApp('/?scenario=default&servers=7');
  assert.equal((await roles(page)).filter(([l]) => l.startsWith('zk')).length, 7);
  await button(page, 'Play').click();
  await page.waitForTimeout(6_000);
  const stats = await page.evaluate(() => window.__zooscopeFrameStats);
  await button(page, 'Pause').click();
  assert.ok(stats && stats.frames > 30, `no frame statistics: ${JSON.stringify(stats)}`);
  console.log(
    `      frame time, 7 servers at normal speed: median ${stats.medianMs.toFixed(2)} ms, ` +
      `p95 ${stats.p95Ms.toFixed(2)} ms, max ${stats.maxMs.toFixed(2)} ms over the last ` +
      `${Math.min(stats.frames, 120)} of ${stats.frames} frames (${stats.stepsPerFrame.toFixed(2)} steps/frame)`,
  );
  await t.screenshot(page, 'seven-servers');
}

export async function phones_get_a_usable_drawing(t) {
  const page = await t.openApp('/?scenario=default', { viewport: VIEWPORTS.mobile });
  await stepUntil(page, async () => (await cursor(page)) >= 35, 'step 35');
  const stage = await page.locator('.stage').boundingBox();
  assert.ok(stage.height > 180, `the drawing is only ${stage.height}px tall`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone screen`);
  await t.screenshot(page, 'mobile');
}
