// The panel tab strip with Kafka's ten tabs in Chromium: one line at 1280 px wide (720 and
// 800 high) and on a phone, scrolling sideways so that the selected tab is always in view —
// opened from a link, chosen with the keyboard or clicked — while keeping the tabs pattern.

import assert from 'node:assert/strict';

const tabs = (page) => page.getByRole('tablist', { name: 'Panel' }).getByRole('tab');

/** Each tab's box, the strip's box and which tab is selected. */
const layout = (page) =>
  page.locator('[role=tablist]').evaluate((strip) => {
    const box = (el) => {
      const r = el.getBoundingClientRect();
      return { left: r.left, right: r.right, top: r.top, bottom: r.bottom };
    };
    const all = [...strip.querySelectorAll('[role=tab]')];
    return {
      strip: box(strip),
      tabs: all.map(box),
      selected: all.findIndex((t) => t.getAttribute('aria-selected') === 'true'),
      names: all.map((t) => t.textContent),
    };
  });

function assertOneLine(l, what) {
  const tops = new Set(l.tabs.map((b) => Math.round(b.top)));
  assert.equal(tops.size, 1, `${what}: tabs on ${tops.size} lines`);
}

function assertSelectedInView(l, what) {
  const b = l.tabs[l.selected];
  assert.ok(
    b.left >= l.strip.left - 1 && b.right <= l.strip.right + 1,
    `${what}: ${l.names[l.selected]} at ${b.left}..${b.right}, strip ${l.strip.left}..${l.strip.right}`,
  );
}

async function selectedName(page) {
  return page.locator('[role=tab][aria-selected=true]').getAttribute('id');
}

export async function kafkas_ten_tabs_take_one_line_at_1280_wide(t) {
  for (const height of [720, 800]) {
    const page = await t.openApp('/?scenario=kafka-default&seed=1&step=700', {
      viewport: { width: 1280, height },
    });
    assert.equal(await tabs(page).count(), 10);
    let l = await layout(page);
    assertOneLine(l, `1280×${height}`);
    assertSelectedInView(l, `1280×${height}`);
    assert.equal(l.names[l.selected], 'Partitions');
    // The keyboard still moves between tabs, and the chosen one scrolls into view.
    await tabs(page).first().focus();
    await page.keyboard.press('End');
    assert.equal(await selectedName(page), 'tab-invariants');
    l = await layout(page);
    assertOneLine(l, `1280×${height} after End`);
    assertSelectedInView(l, `1280×${height} after End`);
    assert.equal(await page.evaluate(() => document.activeElement.id), 'tab-invariants');
    await page.keyboard.press('ArrowRight');
    assert.equal(await selectedName(page), 'tab-partitions', 'wraps round');
    assertSelectedInView(await layout(page), `1280×${height} after wrapping`);
    await t.screenshot(page, `panel-tabs-1280x${height}`);
  }
}

export async function on_a_phone_the_selected_tab_is_in_view_and_the_strip_scrolls(t) {
  const page = await t.openApp('/?scenario=kafka-default&seed=1&step=700&panel=sequence', {
    viewport: { width: 390, height: 844 },
  });
  const strip = page.getByRole('tablist', { name: 'Panel' });
  await strip.scrollIntoViewIfNeeded();
  let l = await layout(page);
  assertOneLine(l, 'phone');
  assert.equal(l.names[l.selected], 'Sequence');
  assertSelectedInView(l, 'phone, opened on Sequence');
  assert.ok(l.strip.right <= 390 + 1, 'the strip fits the screen');
  await t.screenshot(page, 'panel-tabs-phone');
  // A tab half out of view, clicked, comes into view.
  const first = tabs(page).first();
  await strip.evaluate((s) => { s.scrollLeft = 40; });
  await first.dispatchEvent('click');
  assert.equal(await selectedName(page), 'tab-partitions');
  l = await layout(page);
  assertSelectedInView(l, 'phone, Partitions clicked');
  // Home and End by keyboard.
  await first.focus();
  await page.keyboard.press('End');
  assertSelectedInView(await layout(page), 'phone, End');
  await page.keyboard.press('ArrowLeft');
  assert.equal(await selectedName(page), 'tab-sequence');
  assertSelectedInView(await layout(page), 'phone, ArrowLeft');
}
