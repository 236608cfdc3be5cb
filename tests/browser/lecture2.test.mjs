// The lecture hall, second pass (issues 13 and 14): presenter mode with one chosen panel (in
// the URL), menus that stay on screen, hit areas of at least 24 px, held messages fanned out
// with a count, shortcuts that leave selects and text fields alone, a phone's first screen
// with Play and the whole drawing uncovered, scenario descriptions as text and a Copy link,
// a legend of the running protocols only, uncrowded timeline breaks, the smallest text in
// the drawing, and the "What if…" group of the picker catching its planted bug.

import assert from 'node:assert/strict';
import { button, cursor } from './lib/controls.mjs';

const PROJECTOR = { width: 1280, height: 720 };
const PHONE = { width: 390, height: 844 };

async function stepTo(page, n) {
  while ((await cursor(page)) < n) await button(page, 'Step forward').click();
}

/** The query's parameters once the throttled URL update has landed. */
async function params(page) {
  await page.waitForTimeout(600);
  return new URL(page.url()).searchParams;
}

/** The smallest rendered font size (CSS px) of the drawing's text matching `selector`. */
function smallestText(page, selector = '.cluster-svg text') {
  return page.$$eval(selector, (els) => {
    let min = Infinity;
    for (const e of els) {
      const r = e.getBoundingClientRect();
      if (r.width === 0) continue;
      const scale = e.ownerSVGElement.getScreenCTM().a;
      min = Math.min(min, parseFloat(getComputedStyle(e).fontSize) * scale);
    }
    return Math.round(min * 10) / 10;
  });
}

/** Whether any two of the boxes overlap (by more than half a pixel). */
function overlapping(boxes) {
  for (let i = 0; i < boxes.length; i++) {
    for (let j = 0; j < i; j++) {
      const [a, b] = [boxes[i], boxes[j]];
      const x = Math.min(a.x + a.width, b.x + b.width) - Math.max(a.x, b.x);
      const y = Math.min(a.y + a.height, b.y + b.height) - Math.max(a.y, b.y);
      if (x > 0.5 && y > 0.5) return [a, b];
    }
  }
  return null;
}

const inViewport = (box, vp) =>
  box.x >= 0 && box.y >= 0 && box.x + box.width <= vp.width && box.y + box.height <= vp.height;

// ---- presenter mode -----------------------------------------------------------------------

export async function presenter_mode_shows_only_the_panel_the_presenter_chooses_and_the_link_keeps_it(t) {
  const page = await t.openApp('/?scenario=default', { viewport: PROJECTOR });
  await stepTo(page, 60);
  const normal = await smallestText(page);
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('p');
  assert.equal(await page.locator('.panels').isVisible(), false, 'a panel shows before one is chosen');
  assert.equal((await params(page)).get('presenter'), '1');

  const chooser = page.getByRole('combobox', { name: 'Panel beside the drawing' });
  assert.ok(await chooser.isVisible(), 'no panel chooser in presenter mode');
  await chooser.selectOption('zab-log');
  assert.ok(await page.locator('.panels').isVisible(), 'the chosen panel is hidden');
  assert.equal(await page.locator('.panels [role=tablist]').isVisible(), false, 'the other tabs show');
  assert.equal(await page.locator('#panel-body').getAttribute('data-panel'), 'zab-log');
  assert.equal(await page.locator('.app-header').isVisible(), false);
  const q = await params(page);
  assert.equal(q.get('presenter'), 'panel');
  assert.equal(q.get('panel'), 'zab-log');
  const names = await smallestText(page, '.cluster-svg .node .label');
  const presenter = await smallestText(page);
  console.log(`      1280×720: smallest drawing text ${normal} px normal, ${presenter} px presenter (with a panel); node names ≥ ${names} px`);
  assert.ok(names >= 14, `node names are ${names}px in presenter mode`);
  await t.screenshot(page, 'lecture2-presenter-with-panel');

  // The link opens the same picture: presenter mode with the Zab log beside the drawing.
  const linked = await t.open(`/?${q.toString()}`, { viewport: PROJECTOR });
  await linked.locator('[data-node="zk1"]').waitFor({ timeout: 15_000 });
  assert.equal(await linked.locator('.app-header').isVisible(), false);
  assert.ok(await linked.locator('.panels').isVisible(), 'the linked page hides the chosen panel');
  assert.equal(await linked.locator('#panel-body').getAttribute('data-panel'), 'zab-log');

  // "No panel" gives the whole width back to the drawing.
  await chooser.selectOption('');
  assert.equal(await page.locator('.panels').isVisible(), false);
  assert.equal((await params(page)).get('presenter'), '1');
  const alone = await smallestText(page);
  console.log(`      1280×720 presenter, drawing alone: smallest drawing text ${alone} px`);
  assert.ok(alone >= 12, `smallest text in presenter mode is ${alone}px`);
  await page.keyboard.press('p');
  assert.equal(await page.locator('.panels').isVisible(), true);
  assert.equal((await params(page)).get('presenter'), null);
}

// ---- targets and menus --------------------------------------------------------------------

export async function a_bottom_row_clients_menu_flips_up_and_every_item_can_be_clicked(t) {
  const page = await t.openApp('/?scenario=default', { viewport: PROJECTOR });
  await stepTo(page, 5);
  await page.locator('[data-node="lock2"]').click();
  const menu = page.getByRole('menu', { name: 'Actions for lock2' });
  const box = await menu.boundingBox();
  const node = await page.locator('[data-node="lock2"] .disc').boundingBox();
  assert.ok(box.y + box.height <= node.y + 1, 'the menu did not open above the bottom-row node');
  assert.ok(inViewport(box, PROJECTOR), `the menu runs off the screen: ${JSON.stringify(box)}`);
  for (const item of await menu.getByRole('menuitem').all()) {
    const b = await item.boundingBox();
    assert.ok(b.height >= 24, `menu item "${await item.innerText()}" is ${b.height}px tall`);
    assert.ok(inViewport(b, PROJECTOR), `"${await item.innerText()}" is off screen`);
  }
  await t.screenshot(page, 'lecture2-bottom-menu');
  const cut = menu.getByRole('menuitem', { name: 'Cut lock2 off the network' });
  await cut.click(); // a real click: fails if anything covers the item
  assert.equal(await button(page, 'Heal network').isDisabled(), false, 'the cut did not happen');
  assert.match((await params(page)).get('i'), /^5:/);
}

export async function message_dots_have_hit_areas_of_at_least_24_px(t) {
  for (const viewport of [PROJECTOR, PHONE]) {
    const page = await t.openApp('/?scenario=default', { viewport });
    while ((await page.locator('[data-msg]').count()) === 0) await button(page, 'Step forward').click();
    const sizes = await page.$$eval('.dot .hit', (els) =>
      els.map((e) => Math.min(e.getBoundingClientRect().width, e.getBoundingClientRect().height)),
    );
    const min = Math.min(...sizes);
    console.log(`      ${viewport.width}×${viewport.height}: message hit areas ≥ ${Math.round(min)} px`);
    assert.ok(min >= 24, `a message's hit area is ${min}px at ${viewport.width}×${viewport.height}`);
  }
}

export async function held_messages_on_one_link_fan_out_with_a_count(t) {
  const page = await t.openApp('/?scenario=default', { viewport: PROJECTOR });
  await stepTo(page, 60);
  // Hold a message: a held link holds what follows on it too. Step until two wait there.
  while ((await page.locator('.dot:not(.held)').count()) === 0) await button(page, 'Step forward').click();
  await page.locator('.dot:not(.held)').first().click({ force: true });
  await page.getByRole('button', { name: 'Hold message' }).click();
  await page.getByRole('button', { name: 'Close', exact: true }).click();
  for (let i = 0; i < 300 && (await page.locator('.dot.held').count()) < 3; i++) {
    await button(page, 'Step forward').click();
  }
  const held = page.locator('.dot.held');
  const lanes = await held.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label').replace(/^\S+ | \(.*$/g, '')));
  assert.ok(lanes.length >= 3, `held ${lanes.length} message(s)`);
  assert.equal(new Set(lanes).size, 1, `held on several links: ${lanes}`);
  const boxes = [];
  for (const h of (await held.all()).slice(0, 5)) boxes.push(await h.locator('.shape').boundingBox());
  assert.equal(overlapping(boxes), null, 'held messages sit on top of each other');
  const badge = page.locator('.dot.held .stack-count');
  assert.equal(await badge.count(), 1);
  assert.equal(await badge.textContent(), String(lanes.length));
  await t.screenshot(page, 'lecture2-held-fan');
}

// ---- keyboard -----------------------------------------------------------------------------

export async function shortcuts_are_ignored_in_a_select_and_a_text_field(t) {
  const page = await t.openApp('/?scenario=default');
  await stepTo(page, 3);
  const seed = page.locator('#seed');
  await seed.focus();
  for (const key of ['ArrowRight', 'ArrowLeft', ' ', 'p', 'e', ']']) await page.keyboard.press(key);
  assert.equal(await cursor(page), 3, 'a key in the seed field moved the run');
  assert.equal(await button(page, 'Play').count(), 1, 'a key in the seed field started playback');
  assert.equal(await button(page, 'Presenter').getAttribute('aria-pressed'), 'false');
  await seed.fill('1');

  const select = page.locator('#servers');
  await select.focus();
  for (const key of ['p', 'e', 'v', '?']) await page.keyboard.press(key);
  assert.equal(await cursor(page), 3, 'a key in a select moved the run');
  assert.equal(await button(page, 'Presenter').getAttribute('aria-pressed'), 'false');
  assert.equal(await page.locator('#help').count(), 0, '? in a select opened the help');
  // Away from fields the same keys work.
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('ArrowRight');
  assert.equal(await cursor(page), 4);
}

// ---- phone --------------------------------------------------------------------------------

export async function a_phones_first_screen_has_play_and_the_whole_drawing_uncovered(t) {
  const page = await t.openApp('/?scenario=default', { viewport: PHONE });
  await stepTo(page, 40);
  await page.evaluate(() => window.scrollTo(0, 0));
  const play = await button(page, 'Play').boundingBox();
  assert.ok(play.y + play.height <= PHONE.height, `Play is at ${play.y}px, below the first screen`);
  // Nothing covers any node, the bottom row of clients included.
  const covered = await page.$$eval('[data-node]', (nodes) =>
    nodes
      .filter((n) => {
        const r = n.querySelector('.disc').getBoundingClientRect();
        const hit = document.elementFromPoint(r.x + r.width / 2, r.y + r.height / 2);
        return !hit || hit.closest('[data-node]') !== n;
      })
      .map((n) => n.getAttribute('data-node')),
  );
  assert.deepEqual(covered, [], 'nodes covered on the first screen');
  const lowest = await page.$$eval('[data-node] .disc', (els) =>
    Math.max(...els.map((e) => e.getBoundingClientRect().bottom)),
  );
  assert.ok(lowest <= PHONE.height, `the client row ends at ${lowest}px, below the first screen`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
  const picker = await page.locator('#scenario').boundingBox();
  assert.ok(picker.x >= 0 && picker.x + picker.width <= PHONE.width, 'the scenario picker runs off the edge');
  const desc = page.locator('#scenario-desc');
  assert.ok(await desc.isVisible(), 'the scenario description is not shown as text');
  assert.match(await desc.innerText(), /Fast Leader Election/);
  const copy = await button(page, 'Copy link').boundingBox();
  assert.ok(copy.x + copy.width <= PHONE.width, 'Copy link is off the edge');
  console.log(`      390×844: smallest drawing text ${await smallestText(page)} px; Play at ${Math.round(play.y)} px`);
  await t.screenshot(page, 'lecture2-390x844');
}

export async function copy_link_puts_the_address_of_this_step_on_the_clipboard(t) {
  const page = await t.openApp('/?scenario=default&step=12');
  await page.context().grantPermissions(['clipboard-read', 'clipboard-write'], { origin: t.origin });
  await button(page, 'Step forward').click();
  await page.waitForTimeout(600);
  await button(page, 'Copy link').click();
  const notice = await page.locator('#notices').innerText();
  assert.match(notice, /Link copied/);
  assert.ok(notice.includes('step=13'), notice);
  const copied = await page.evaluate(() => navigator.clipboard.readText());
  assert.equal(copied, page.url());
  assert.match(copied, /step=13/);
}

// ---- legend and timeline ------------------------------------------------------------------

export async function the_legend_lists_only_the_running_protocols_message_kinds(t) {
  const shapes = (page) =>
    page.$$eval('.legend-shape', (els) => els.map((e) => e.getAttribute('class').replace('legend-shape ', '')));
  const zk = await shapes(await t.openApp('/?scenario=default'));
  assert.ok(zk.includes('cat-election') && zk.includes('cat-broadcast'), zk.join(' '));
  assert.ok(!zk.includes('cat-produce') && !zk.includes('cat-fetch'), `Kafka kinds for ZooKeeper: ${zk}`);
  const hb = await shapes(await t.openApp('/?scenario=heartbeat'));
  assert.deepEqual(hb, ['cat-ping']);
  const kafka = await shapes(await t.openApp('/?scenario=kafka-default'));
  assert.ok(kafka.includes('cat-produce') && kafka.includes('cat-election'), kafka.join(' '));
}

export async function timeline_break_labels_never_crowd(t) {
  const page = await t.openApp('/?scenario=zk-leader-crash', { viewport: PROJECTOR });
  for (let i = 0; i < 3; i++) await button(page, 'next election').click();
  await page.waitForTimeout(300);
  const marks = await page.locator('.tl-break').count();
  const labels = await page.locator('.tl-break .tl-label').all();
  const boxes = [];
  for (const l of labels) boxes.push(await l.boundingBox());
  console.log(`      ${marks} breaks on the timeline, ${labels.length} labelled`);
  assert.ok(marks >= 2, `only ${marks} breaks`);
  assert.equal(overlapping(boxes), null, 'break labels overlap');
  await t.screenshot(page, 'lecture2-breaks');
}

// ---- "What if…" ---------------------------------------------------------------------------

export async function a_what_if_scenario_from_the_pickers_group_shows_its_bug_caught(t) {
  const page = await t.openApp('/?scenario=default');
  const group = page.locator('#scenario optgroup');
  assert.match(await group.getAttribute('label'), /^What if…/);
  const options = group.locator('option');
  assert.ok((await options.count()) >= 3, 'fewer than three What-if scenarios in their group');
  for (const o of await options.all()) {
    assert.match(await o.getAttribute('value'), /^whatif-/);
    assert.ok((await o.getAttribute('title')).length > 20, 'a What-if scenario without a description');
  }
  assert.equal(await page.locator('#scenario > option[value^="whatif-"]').count(), 0, 'What-ifs outside the group');

  await page.locator('#scenario').selectOption('whatif-sessions-never-expire');
  await page.locator('[data-node="member1"]').waitFor();
  assert.match(await page.locator('#scenario-desc').innerText(), /never expires a session/);
  await button(page, 'next violation').click();
  await page.locator('.timeline-marks .tl-mark.violation').first().waitFor({ timeout: 30_000 });
  const at = await cursor(page);
  await page.getByRole('tab', { name: /^Invariants/ }).click();
  const row = page.locator('.invariant.violated', { hasText: 'zk.ephemerals-cleaned' });
  assert.equal(await row.count(), 1, (await page.locator('.invariant.violated').allInnerTexts()).join(' | '));
  const violation = page.locator('ul.violations li', { hasText: 'zk.ephemerals-cleaned' }).first();
  assert.match(await violation.innerText(), /still has its ephemeral \/members\/member1.*the leader never expired it/);
  const go = violation.locator('button[data-seek]');
  const target = Number(await go.getAttribute('data-seek'));
  assert.ok(Math.abs(target - at) <= 1, `the violation is at step ${target}, the run stopped at ${at}`);
  await button(page, 'Step forward').click();
  await button(page, 'Step forward').click();
  assert.notEqual(await cursor(page), target);
  await go.click();
  assert.equal(await cursor(page), target, 'Go to step did not jump to the violation');
  await t.screenshot(page, 'lecture2-whatif-ephemeral');
}
