// The app shell: what a person sees when the page opens, on a desktop, on a phone, in the
// dark theme and from a subpath. Every case also fails on any page or console error.

import assert from 'node:assert/strict';

import { SUBPATH, VIEWPORTS } from './lib/harness.mjs';

/** The three regions the UI fills, by landmark role and accessible name. */
function regions(page) {
  return {
    cluster: page.getByRole('main', { name: 'Cluster view' }),
    panels: page.getByRole('complementary', { name: 'Panels' }),
    controls: page.getByRole('region', { name: 'Timeline and controls' }),
  };
}

async function box(locator) {
  const b = await locator.boundingBox();
  assert.ok(b && b.width > 0 && b.height > 0, `${locator} has no size on screen`);
  return b;
}

async function assertRegionsVisible(page) {
  for (const [name, locator] of Object.entries(regions(page))) {
    assert.ok(await locator.isVisible(), `the ${name} region is not visible`);
    assert.equal(await locator.getAttribute('data-region'), name);
    await box(locator);
  }
}

export async function shell_shows_the_title_explanation_and_three_regions(t) {
  const page = await t.openApp('/?scenario=default');
  assert.match(await page.locator('h1').innerText(), /zooscope/);
  assert.match(await page.locator('header p').innerText(), /ZooKeeper ensemble/);
  assert.equal(await page.getByText('Loading zooscope').count(), 0, 'loading text still shown');
  await assertRegionsVisible(page);
  assert.ok(await page.locator('[data-region=cluster] svg.cluster-svg').isVisible(), 'no cluster svg');
  await t.screenshot(page, 'shell');
}

export async function controls_are_present_and_ready_at_step_zero(t) {
  const page = await t.openApp('/?scenario=default');
  for (const name of ['Play', 'Step forward']) {
    const button = page.getByRole('button', { name, exact: true });
    assert.ok(await button.isVisible(), `no ${name} button`);
    assert.ok(await button.isEnabled(), `${name} should be enabled`);
  }
  // Nothing to step back over yet.
  assert.ok(await page.getByRole('button', { name: 'Step back', exact: true }).isDisabled());
  assert.equal(await page.getByRole('slider', { name: 'Timeline', exact: true }).inputValue(), '0');
}

export async function panel_tabs_switch_by_click_and_arrow_keys(t) {
  const page = await t.openApp('/?scenario=default');
  const tabs = page.getByRole('tab');
  assert.deepEqual(await tabs.allInnerTexts(), [
    'Znodes',
    'Zab log',
    'Sessions',
    'Events',
    'Sequence',
    'Invariants',
  ]);
  const panel = page.getByRole('tabpanel');
  assert.match(await panel.innerText(), /Znodes/);

  await page.getByRole('tab', { name: 'Invariants' }).click();
  assert.equal(await page.getByRole('tab', { name: 'Invariants' }).getAttribute('aria-selected'), 'true');
  assert.match(await panel.innerText(), /Checked after every step/);

  await page.keyboard.press('ArrowRight'); // wraps round to the first tab
  assert.equal(await page.getByRole('tab', { name: 'Znodes' }).getAttribute('aria-selected'), 'true');
  assert.ok(await page.getByRole('tab', { name: 'Znodes' }).evaluate((e) => e === document.activeElement));
}

export async function wide_screens_put_the_panels_beside_the_cluster_view(t) {
  const page = await t.openApp('/?scenario=default', { viewport: VIEWPORTS.desktop });
  const { cluster, panels } = regions(page);
  const [c, p] = [await box(cluster), await box(panels)];
  assert.ok(p.x >= c.x + c.width, `panels (x=${p.x}) not right of the cluster view`);
}

export async function narrow_screens_put_the_panels_below_the_cluster_view(t) {
  const page = await t.openApp('/?scenario=default', { viewport: VIEWPORTS.mobile });
  await assertRegionsVisible(page);
  const { cluster, panels } = regions(page);
  const [c, p] = [await box(cluster), await box(panels)];
  assert.ok(p.y >= c.y + c.height, `panels (y=${p.y}) not below the cluster view`);
  const overflow = await page.evaluate(() => document.documentElement.scrollWidth - innerWidth);
  assert.ok(overflow <= 0, `page is ${overflow}px wider than the phone screen`);
  await t.screenshot(page, 'shell-mobile');
}

export async function dark_theme_follows_the_system_setting(t) {
  const page = await t.openApp('/?scenario=default', { colorScheme: 'dark' });
  const background = await page.evaluate(() => getComputedStyle(document.body).backgroundColor);
  const [r, g, b] = background.match(/\d+/g).map(Number);
  assert.ok(r + g + b < 150, `background ${background} is not dark`);
  await t.screenshot(page, 'shell-dark');
}

export async function page_works_when_served_from_a_subpath(t) {
  const page = await t.openApp(SUBPATH);
  await assertRegionsVisible(page);
}
