// The Kafka "What if…" scenarios in Chromium (issue 13): they sit in the picker's What-if
// group beside the ZooKeeper ones, and one opened from there shows its planted bug caught in
// the Invariants panel, in words, with a "Go to step" that jumps to it.

import assert from 'node:assert/strict';
import { button, cursor } from './lib/controls.mjs';

const KAFKA_WHAT_IFS = [
  'whatif-no-controller-fencing',
  'whatif-hw-before-isr',
  'whatif-unclean-without-config',
  'whatif-no-duplicate-check',
  'whatif-commit-unprocessed',
];

export async function the_pickers_what_if_group_lists_the_kafka_bugs_too(t) {
  const page = await t.openApp('/?scenario=default');
  const group = page.locator('#scenario optgroup');
  assert.match(await group.getAttribute('label'), /^What if…/);
  const values = await group.locator('option').evaluateAll((os) => os.map((o) => o.value));
  for (const name of KAFKA_WHAT_IFS) {
    assert.ok(values.includes(name), `${name} not in the What-if group: ${values.join(' ')}`);
  }
  assert.ok(values.includes('whatif-commit-without-quorum'), 'the ZooKeeper What-ifs are still there');
  for (const name of KAFKA_WHAT_IFS) {
    const o = group.locator(`option[value="${name}"]`);
    assert.match(await o.innerText(), /^What if… /);
    assert.ok((await o.getAttribute('title')).length > 40, `${name} has no description`);
  }
}

export async function a_deposed_controller_without_fencing_is_caught_from_the_what_if_group(t) {
  const page = await t.openApp('/?scenario=default');
  await page.locator('#scenario').selectOption('whatif-no-controller-fencing');
  await page.locator('[data-node="broker-1"]').waitFor();
  assert.match(await page.locator('#scenario-desc').innerText(), /no \/controller_epoch check/);
  await button(page, 'next violation').click();
  await page.locator('.timeline-marks .tl-mark.violation').first().waitFor({ timeout: 60_000 });
  const at = await cursor(page);
  await page.getByRole('tab', { name: /^Invariants/ }).click();
  const row = page.locator('.invariant.violated', { hasText: 'kafka.controller-fencing' });
  const violated = await page.locator('.invariant.violated').allInnerTexts();
  assert.equal(await row.count(), 1, violated.join(' | '));
  const violation = page.locator('ul.violations li', { hasText: 'kafka.controller-fencing' }).first();
  assert.match(
    await violation.innerText(),
    /written by controller epoch 1 after controller epoch 2 began: a deposed controller was not fenced/,
  );
  const go = violation.locator('button[data-seek]');
  const target = Number(await go.getAttribute('data-seek'));
  assert.ok(Math.abs(target - at) <= 1, `the violation is at step ${target}, the run stopped at ${at}`);
  await button(page, 'Step forward').click();
  await button(page, 'Step forward').click();
  assert.notEqual(await cursor(page), target);
  await go.click();
  assert.equal(await cursor(page), target, 'Go to step did not jump to the violation');
  await t.screenshot(page, 'kafka-whatif-no-controller-fencing');
}
