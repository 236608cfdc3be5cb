// The Sequence panel's chatter filter and keyboard in Chromium: "Hide Fetch and pings" takes
// Kafka's Fetch traffic and the heartbeats out of the diagram and says how many arrows it
// hid; the diagram is one tab stop whose arrow keys, Home and End move a visible focus ring
// between arrows, Enter or space seeks, and the page's own shortcuts (← → step, space plays)
// stay out of it.

import assert from 'node:assert/strict';
import { button, cursor } from './lib/controls.mjs';

const VIEW_720 = { viewport: { width: 1280, height: 720 } };

/** The focused element: its classes, accessible name, tab index and whether it shows focus. */
const focused = (page) =>
  page.evaluate(() => {
    const el = document.activeElement;
    const hit = el?.querySelector?.('.seq-hit');
    return {
      arrow: !!el?.classList?.contains('seq-arrow'),
      name: el?.getAttribute?.('aria-label') ?? null,
      tabindex: el?.getAttribute?.('tabindex') ?? null,
      ring: !!el?.matches?.(':focus-visible') && getComputedStyle(el).outlineStyle === 'solid',
      hit: hit ? getComputedStyle(hit).stroke : null,
      index: el?.parentElement ? [...el.parentElement.querySelectorAll('.seq-arrow')].indexOf(el) : -1,
    };
  });

/** Marks the focused arrow, so that its redrawn successor can be told from it. */
const markFocused = (page) => page.evaluate(() => { document.activeElement.dataset.old = '1'; });

/** Waits until focus is back on the redrawn arrow named `name`. */
const refocused = (page, name) =>
  page.waitForFunction(
    (l) => document.activeElement?.getAttribute('aria-label') === l && !document.activeElement.dataset.old,
    name,
  );

const visibleArrows = (page) => page.locator('.seq-wrap .seq-arrow:visible');

export async function hiding_fetch_and_pings_leaves_the_protocol_exchange_and_counts_what_it_hid(t) {
  const page = await t.openApp('/?scenario=kafka-default&seed=1&step=900&panel=sequence', VIEW_720);
  await page.locator('svg.seq').first().waitFor();
  const chatter = () => page.locator('.seq-wrap .seq-arrow:is(.cat-fetch, .cat-ping):visible').count();
  assert.ok((await chatter()) > 0, 'a settled Kafka cluster fetches');
  await t.screenshot(page, 'sequence-chatter-shown');
  const hide = page.getByRole('checkbox', { name: 'Hide Fetch and pings' });
  assert.equal(await hide.isChecked(), false);
  // By keyboard: focus and space.
  await hide.focus();
  await page.keyboard.press('Space');
  assert.equal(await hide.isChecked(), true);
  assert.equal(await cursor(page), 900, 'space on the checkbox does not play');
  assert.equal(await chatter(), 0);
  assert.ok((await visibleArrows(page).count()) > 0, 'the rest of the exchange is drawn');
  const hidden = page.locator('.seq-hidden');
  const n = Number(await hidden.getAttribute('data-hidden'));
  assert.ok(n > 0, `${n} hidden`);
  assert.equal(await hidden.innerText(), `${n} arrows hidden`);
  // It combines with "Only nodes involved" either way.
  const only = page.getByRole('checkbox', { name: 'Only nodes involved' });
  const lanes = () => page.locator('.seq-lane:visible').count();
  const lanesBefore = await lanes();
  await only.setChecked(!(await only.isChecked()));
  assert.notEqual(await lanes(), lanesBefore);
  assert.equal(await chatter(), 0);
  assert.ok((await visibleArrows(page).count()) > 0);
  await only.setChecked(!(await only.isChecked()));
  // The filter follows the cursor.
  await button(page, 'Step forward').click();
  assert.equal(await cursor(page), 901);
  assert.equal(await chatter(), 0);
  const rows = await page.$$eval('.seq-qall .seq-row text', (els) => els.map((e) => Number(e.textContent)));
  assert.equal(rows[rows.length - 1], 901);
  // The caption gives the quiet window's steps, which reach further back.
  assert.equal(await page.locator('.seq-caption:visible').innerText(), await page.locator('.seq-qcap').innerText());
  assert.match(await page.locator('.seq-qcap').innerText(), new RegExp(`^Steps ${rows[0]}–901, `));
  await t.screenshot(page, 'sequence-chatter-hidden');
  await hide.uncheck();
  assert.ok((await chatter()) > 0);
  assert.equal(await hidden.isVisible(), false);
}

export async function the_diagram_is_one_tab_stop_whose_arrow_keys_move_between_arrows(t) {
  const page = await t.openApp('/?scenario=default&seed=1&step=64&panel=sequence', VIEW_720);
  await page.locator('svg.seq').first().waitFor();
  const arrows = visibleArrows(page);
  const count = await arrows.count();
  assert.ok(count > 3, `${count} arrows`);
  assert.equal(await page.locator('.seq-wrap svg:visible [tabindex="0"]').count(), 1, 'one tab stop');
  const names = await arrows.evaluateAll((els) => els.map((e) => e.getAttribute('aria-label')));
  assert.ok(names.every((n) => /^Step \d+: /.test(n)), names.join('; '));

  // Tab from the last checkbox enters the diagram on its newest arrow.
  await page.getByRole('checkbox', { name: 'Hide Fetch and pings' }).focus();
  await page.keyboard.press('Tab');
  let f = await focused(page);
  assert.ok(f.arrow, 'Tab reaches the diagram');
  assert.equal(f.index, count - 1);
  assert.equal(f.name, names[count - 1]);
  assert.ok(f.ring, 'the focused arrow shows a focus ring');
  assert.notEqual(f.hit, 'rgba(0, 0, 0, 0)');
  await t.screenshot(page, 'sequence-keyboard-focus');

  // Home, arrows and End move focus; ← and → do not step the run meanwhile.
  await page.keyboard.press('Home');
  f = await focused(page);
  assert.equal(f.index, 0);
  assert.equal(f.tabindex, '0');
  await page.keyboard.press('ArrowLeft');
  assert.equal((await focused(page)).index, 0, 'no arrow before the first');
  await page.keyboard.press('ArrowDown');
  assert.equal((await focused(page)).index, 1);
  await page.keyboard.press('ArrowRight');
  assert.equal((await focused(page)).index, 2);
  await page.keyboard.press('ArrowUp');
  f = await focused(page);
  assert.equal(f.index, 1);
  assert.equal(f.name, names[1]);
  assert.equal(await cursor(page), 64, 'the arrow keys did not step the run');
  assert.equal(await page.locator('.seq-wrap svg:visible [tabindex="0"]').count(), 1, 'still one tab stop');
  await page.keyboard.press('End');
  assert.equal((await focused(page)).index, count - 1);
  await page.keyboard.press('Home');

  // Enter seeks to the arrow's step; focus comes back to it, redrawn.
  const target = Number(names[0].match(/^Step (\d+)/)[1]);
  assert.notEqual(target, 64);
  await markFocused(page);
  await page.keyboard.press('Enter');
  assert.equal(await cursor(page), target);
  await refocused(page, names[0]);
  assert.equal((await focused(page)).tabindex, '0');
  assert.equal(await page.locator('.seq-wrap svg:visible [tabindex="0"]').count(), 1);
  // Space seeks too, and does not start playing: from the newest arrow back to the first
  // one of another step.
  await page.keyboard.press('End');
  const now = await cursor(page);
  let last = (await focused(page)).name;
  for (let i = 0; i < 40 && Number(last.match(/^Step (\d+)/)[1]) === now; i++) {
    await page.keyboard.press('ArrowUp');
    last = (await focused(page)).name;
  }
  assert.notEqual(Number(last.match(/^Step (\d+)/)[1]), now);
  await markFocused(page);
  await page.keyboard.press('Space');
  assert.equal(await cursor(page), Number(last.match(/^Step (\d+)/)[1]));
  assert.equal(await button(page, 'Play').count(), 1, 'still paused');
  await refocused(page, last);

  // One Tab leaves the diagram.
  await page.keyboard.press('Tab');
  assert.equal((await focused(page)).arrow, false, 'Tab leaves the diagram');
  // Outside it, → steps again.
  const before = await cursor(page);
  await page.locator('#step-readout').click();
  await page.keyboard.press('ArrowRight');
  assert.equal(await cursor(page), before + 1);
}
