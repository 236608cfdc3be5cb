// The visualizer in a lecture hall and a lab (issue 14): menus that open on a harmless item,
// undo and redo of inputs (a fork's discarded branch comes back), shortcuts that leave the
// tab bar alone, a narration line that never moves the drawing, presenter mode at
// 1280×720, elections and quorums explained, and a phone layout.

import assert from 'node:assert/strict';
import { button, cursor } from './lib/controls.mjs';

const PROJECTOR = { width: 1280, height: 720 };

async function stepTo(page, n) {
  while ((await cursor(page)) < n) await button(page, 'Step forward').click();
}

const focusedId = (page) => page.evaluate(() => document.activeElement && document.activeElement.id);

/** The query's inputs (`i=`), once the throttled URL update has landed. */
async function urlInputs(page) {
  await page.waitForTimeout(600);
  return new URL(page.url()).searchParams.get('i');
}

async function clusterSnapshot(page) {
  return page.locator('[data-region=cluster] .stage').innerHTML() + (await page.locator('#now').innerText());
}

// ---- safe manipulation --------------------------------------------------------------------

export async function a_node_menu_opens_on_close_and_a_stray_space_changes_nothing(t) {
  const page = await t.openApp('/?scenario=default', { viewport: PROJECTOR });
  await stepTo(page, 5);
  await page.locator('[data-node="zk3"]').click();
  const menu = page.getByRole('menu', { name: 'Actions for zk3' });
  assert.ok(await menu.isVisible());
  assert.equal(await focusedId(page), 'menu-zk3-close');
  // Destructive items stand apart from the harmless ones.
  const crash = menu.getByRole('menuitem', { name: /Crash zk3/ });
  const cut = menu.getByRole('menuitem', { name: /Cut zk3 off the network/ });
  assert.match(await crash.getAttribute('class'), /danger/);
  assert.match(await cut.getAttribute('class'), /danger/);
  const bg = (l) => l.evaluate((e) => getComputedStyle(e).backgroundColor);
  assert.notEqual(await bg(crash), await bg(menu.getByRole('menuitem', { name: 'Close menu' })));
  await t.screenshot(page, 'lecture-node-menu');

  await page.keyboard.press(' ');
  assert.equal(await menu.count(), 0, 'space did not just close the menu');
  assert.notEqual(await page.locator('[data-node="zk3"]').getAttribute('data-role'), 'down');
  assert.equal(await cursor(page), 5);
  assert.equal(await button(page, 'Undo').isDisabled(), true);
}

export async function a_message_inspector_opens_on_close(t) {
  const page = await t.openApp('/?scenario=default');
  while ((await page.locator('[data-msg]').count()) === 0) await button(page, 'Step forward').click();
  const dot = page.locator('[data-msg]').first();
  const id = await dot.getAttribute('data-msg-id');
  await dot.click({ force: true });
  assert.equal(await focusedId(page), 'msg-close');
  await page.keyboard.press('Enter');
  assert.equal(await page.getByRole('dialog', { name: `Message #${id}` }).count(), 0);
  assert.equal(await page.locator(`[data-msg-id="${id}"]`).count(), 1, 'the message was touched');
}

export async function an_input_in_the_past_warns_and_undo_brings_the_branch_back(t) {
  const original = '30:crash:1,60:restart:1';
  const path = `/?scenario=default&i=${original}&step=20`;
  const page = await t.openApp(path);
  assert.equal(await cursor(page), 20);
  await page.locator('[data-node="zk3"]').click();
  const menu = page.getByRole('menu', { name: 'Actions for zk3' });
  assert.match(await menu.innerText(), /discards the 2 later inputs/);
  await menu.getByRole('menuitem', { name: 'Crash zk3' }).click();
  assert.match(await page.locator('#notices').innerText(), /2 later inputs were discarded/);
  assert.equal(await urlInputs(page), '20:crash:2');

  await button(page, 'Undo').click();
  assert.equal(await cursor(page), 20);
  assert.equal(await urlInputs(page), original);
  // The same run as before the fork: the same picture as a fresh load of the old link.
  const fresh = await t.openApp(path);
  assert.equal(await clusterSnapshot(page), await clusterSnapshot(fresh));
  await stepTo(page, 65);
  await stepTo(fresh, 65);
  assert.equal(await clusterSnapshot(page), await clusterSnapshot(fresh));

  // Ctrl+Shift+Z gives the crash again, Ctrl+Z takes it back.
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('Control+Shift+Z');
  assert.equal(await urlInputs(page), '20:crash:2');
  assert.equal(await cursor(page), 21);
  await page.keyboard.press('Control+z');
  assert.equal(await urlInputs(page), original);
  assert.equal(await button(page, 'Redo').isDisabled(), false);
}

// ---- keyboard -----------------------------------------------------------------------------

export async function shortcuts_are_ignored_while_focus_is_in_the_tab_bar(t) {
  const page = await t.openApp('/?scenario=default');
  await stepTo(page, 3);
  const tabs = page.getByRole('tab');
  const first = tabs.first();
  await first.focus();
  const before = await first.getAttribute('id');
  await page.keyboard.press('ArrowRight');
  assert.equal(await cursor(page), 3, '→ in the tab bar stepped the run');
  assert.notEqual(await focusedId(page), before, '→ did not move to the next tab');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await cursor(page), 3, '← in the tab bar stepped back');
  await page.keyboard.press(' ');
  assert.equal(await button(page, 'Play').count(), 1, 'space in the tab bar started playback');
}

export async function the_narration_line_never_moves_the_drawing(t) {
  const page = await t.openApp('/?scenario=default', { viewport: PROJECTOR });
  const tops = new Set();
  const heights = new Set();
  for (let i = 0; i < 60; i++) {
    await button(page, 'Step forward').click();
    tops.add(Math.round((await page.locator('.stage').boundingBox()).y));
    heights.add(Math.round((await page.locator('#now').boundingBox()).height));
  }
  assert.equal(tops.size, 1, `the drawing moved: tops ${[...tops]}`);
  assert.equal(heights.size, 1, `the narration changed height: ${[...heights]}`);
}

// ---- elections and quorums ----------------------------------------------------------------

export async function a_looking_servers_menu_lists_its_votes_and_the_tally(t) {
  const page = await t.openApp('/?scenario=default&servers=5');
  let found = null;
  for (let i = 0; i < 120 && !found; i++) {
    await button(page, 'Step forward').click();
    const looking = page.locator('[data-role=looking]');
    for (let j = 0; j < (await looking.count()); j++) {
      const label = await looking.nth(j).getAttribute('aria-label');
      if (/Votes received \(epoch, zxid, id\): zk\d \(\d+, 0x[0-9a-f]+, \d\), zk/.test(label)) {
        found = await looking.nth(j).getAttribute('data-node');
        break;
      }
    }
  }
  assert.ok(found, 'no LOOKING server with two votes received');
  const node = page.locator(`[data-node="${found}"]`);
  assert.match(await node.getAttribute('aria-label'), /a quorum needs 3\./);
  assert.match(await node.locator('.vote').textContent(), /^votes zk\d · \d\/3$/);
  await node.click();
  assert.match(await page.getByRole('menu').innerText(), /Votes received/);
  await t.screenshot(page, 'lecture-votes');
}

export async function the_quorum_moment_is_narrated_and_the_zab_log_keeps_the_tick(t) {
  const page = await t.openApp('/?scenario=default');
  const now = page.locator('#now');
  for (let i = 0; i < 400; i++) {
    if (/'s ACK makes 2 of 3: 0x[0-9a-f]+ \(.*\) is committed: ACKed by zk\d, zk\d/.test(await now.innerText())) break;
    await button(page, 'Step forward').click();
  }
  assert.match(await now.innerText(), /'s ACK makes 2 of 3: /);
  await page.getByRole('tab', { name: 'Zab log', exact: true }).click();
  assert.ok((await page.locator('#panel-body td', { hasText: /^2\/2 ✓$/ }).count()) >= 1, 'no 2/2 ✓ in the Zab log');
  // PROPOSAL, ACK and COMMIT are three shapes in the legend.
  const shapes = await page.$$eval('.legend-shape', (els) => els.map((e) => e.getAttribute('class')));
  for (const c of ['cat-broadcast', 'cat-ack', 'cat-commit']) assert.ok(shapes.some((s) => s.includes(c)), c);
}

// ---- presenter mode -----------------------------------------------------------------------

/** The smallest rendered font size (CSS px) of the drawing's text. */
function smallestText(page) {
  return page.$$eval('.cluster-svg text', (els) => {
    let min = Infinity;
    for (const e of els) {
      const r = e.getBoundingClientRect();
      if (r.width === 0) continue;
      const svg = e.ownerSVGElement;
      const scale = svg.getScreenCTM().a;
      min = Math.min(min, parseFloat(getComputedStyle(e).fontSize) * scale);
    }
    return Math.round(min * 10) / 10;
  });
}

export async function presenter_mode_fills_a_projector_with_large_type(t) {
  const page = await t.openApp('/?scenario=default', { viewport: PROJECTOR });
  await stepTo(page, 60);
  const normal = await smallestText(page);
  const normalStage = (await page.locator('.stage').boundingBox()).height;
  await t.screenshot(page, 'lecture-1280x720-normal');
  await page.evaluate(() => document.activeElement && document.activeElement.blur());
  await page.keyboard.press('p');
  assert.equal(await button(page, 'Presenter').getAttribute('aria-pressed'), 'true');
  assert.equal(await page.locator('.app-header').isVisible(), false);
  assert.equal(await page.locator('.panels').isVisible(), false);
  assert.equal(await page.locator('.legend').isVisible(), false);
  assert.ok(await button(page, 'Play').isVisible(), 'Play hidden in presenter mode');
  const stage = (await page.locator('.stage').boundingBox()).height;
  const big = await smallestText(page);
  const now = await page.locator('#now').evaluate((e) => parseFloat(getComputedStyle(e).fontSize));
  console.log(`      1280×720: stage ${Math.round(normalStage)} px → ${Math.round(stage)} px tall; smallest drawing text ${normal} px → ${big} px; narration ${now} px`);
  assert.ok(stage > 450, `the drawing is only ${stage}px tall in presenter mode`);
  assert.ok(big >= 12, `smallest text in presenter mode is ${big}px`);
  assert.ok(now >= 22, `narration is ${now}px`);
  await t.screenshot(page, 'lecture-1280x720-presenter');
  await page.keyboard.press('p');
  assert.equal(await page.locator('.app-header').isVisible(), true);

  // (The page's h1 is hidden in presenter mode: wait for the drawing instead.)
  const linked = await t.open('/?scenario=default&presenter=1', { viewport: PROJECTOR });
  await linked.locator('[data-node="zk1"]').waitFor({ timeout: 15_000 });
  assert.equal(await linked.locator('.app-header').isVisible(), false, 'presenter=1 did not open presenter mode');

  await button(page, 'A+').click();
  assert.ok((await smallestText(page)) > normal, 'A+ did not enlarge the drawing text');
}

// ---- phone --------------------------------------------------------------------------------

export async function a_phone_shows_play_and_the_drawing_on_the_first_screen(t) {
  const page = await t.openApp('/?scenario=default', { viewport: { width: 390, height: 844 } });
  await stepTo(page, 40);
  await page.evaluate(() => window.scrollTo(0, 0));
  const play = await button(page, 'Play').boundingBox();
  assert.ok(play.y + play.height <= 844, `Play is at ${play.y}px, below the first screen`);
  const stage = await page.locator('.stage').boundingBox();
  const controls = await page.locator('.controls').boundingBox();
  assert.ok(stage.y < 844 && stage.y + stage.height * 0.5 < controls.y, 'the drawing is not above the controls');
  assert.ok(stage.width <= 390, `the drawing is ${stage.width}px wide`);
  assert.equal(await page.locator('details.legend').getAttribute('open'), null, 'the legend is open on a phone');
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone`);
  const presenter = await button(page, 'Presenter').boundingBox();
  assert.ok(presenter.x + presenter.width <= 390, 'the cluster tools run off the edge');
  const picker = await page.locator('#scenario').boundingBox();
  assert.ok(picker.x + picker.width <= 390, 'the scenario picker runs off the edge');
  console.log(`      390×844: smallest drawing text ${await smallestText(page)} px`);
  await t.screenshot(page, 'lecture-390x844');
}
