// The visualizer in a lecture hall and a lab (issue 14): menus that open on a harmless item,
// undo and redo of inputs (a fork's discarded branch comes back), shortcuts that leave the
// tab bar alone, a narration line that never moves the drawing, presenter mode at
// 1280×720, elections and quorums explained, and a phone layout.

import assert from 'node:assert/strict';

const PROJECTOR = { width: 1280, height: 720 };

const button = (page, name) => page.getByRole('button', { name, exact: true });

async function cursor(page) {
  const text = await page.locator('#step-readout').innerText();
  return Number(text.match(/step (\d+)/)[1]);
}

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
  const page = await t.openApp('/', { viewport: PROJECTOR });
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
  const page = await t.openApp('/');
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
  const path = `/?i=${original}&step=20`;
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
  const page = await t.openApp('/');
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
  const page = await t.openApp('/', { viewport: PROJECTOR });
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
