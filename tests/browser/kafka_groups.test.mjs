// Kafka's Groups, Producers and Metrics panels and the Znodes panel's JSON in Chromium: a
// consumer's death rebalances its group (a later generation, every partition to the
// survivor), acks=1 loses acknowledged writes and the Producers panel counts them, the
// metrics show one controller and under-replicated partitions after a broker crash, and
// Kafka's znodes show indented JSON. Runs open at a step through the URL (seed 1), so the
// numbers are those of `zooscope-cli run --seed 1`.

import assert from 'node:assert/strict';
import { button, cursor } from './lib/controls.mjs';

async function pause(page) {
  if (await button(page, 'Pause').count()) await button(page, 'Pause').click();
}

async function seek(page, step) {
  await page.getByRole('slider', { name: 'Timeline', exact: true }).fill(String(step));
  assert.equal(await cursor(page), step);
}

const metric = (page, name) =>
  page.locator(`[data-metric="${name}"]`).getAttribute('data-value');

export async function a_dead_consumer_rebalances_its_group_in_the_groups_panel(t) {
  const page = await t.openApp('/?scenario=kafka-consumer-rebalance&step=4500&panel=groups');
  await pause(page);
  const group = page.locator('section[data-group="my-group"]');
  // Before consumer-2 crashes (25 s, step ~3224): two members share the three partitions.
  await seek(page, 3000);
  assert.equal(await group.getAttribute('data-state'), 'Stable');
  const before = Number(await group.getAttribute('data-generation'));
  assert.equal(await group.locator('[data-member]').count(), 2);
  assert.equal(await page.locator('tr[data-group="my-group"]').count(), 3);
  await t.screenshot(page, 'kafka-groups-before');
  // After its session expired: a later generation, consumer-1 owns everything.
  await seek(page, 4500);
  const after = Number(await group.getAttribute('data-generation'));
  assert.ok(after > before, `generation ${before} -> ${after}`);
  const members = group.locator('[data-member]');
  assert.equal(await members.count(), 1);
  assert.equal(await members.first().getAttribute('data-member'), 'consumer-1');
  assert.match(await members.first().innerText(), /events-0, events-1, events-2/);
  await t.screenshot(page, 'kafka-groups-after');
  // "why?" on a committed offset seeks to the OffsetCommit that carried it.
  const why = group.getByRole('button', { name: /why\?/ }).first();
  const target = Number(await why.getAttribute('data-seek'));
  assert.ok(target > 0 && target <= 4500, `why? goes to step ${target}`);
  await why.click();
  assert.equal(await cursor(page), target);
  const readout = await page.locator('#step-readout').innerText();
  assert.ok(readout.length > 0);
  // ... and rings the consumer that sent it and the group's coordinator, while the cursor
  // stays on that step.
  const coordinator = (await group.locator('.gmeta').innerText()).match(/coordinator (broker-\d+)/)[1];
  const ringed = await ringedNodes(page);
  assert.equal(ringed.length, 2, `ringed: ${JSON.stringify(ringed)}`);
  assert.ok(ringed.some((n) => n.kind === 'consumer' && /^consumer-\d+$/.test(n.node)), JSON.stringify(ringed));
  assert.ok(ringed.some((n) => n.kind === 'broker' && n.node === coordinator), `${coordinator}: ${JSON.stringify(ringed)}`);
  await t.screenshot(page, 'kafka-groups-why-ring');
  await seek(page, target + 1);
  assert.deepEqual(await ringedNodes(page), []);
}

// The nodes whose ring is drawn as a cause (the --cause colour, 4 px wide).
const ringedNodes = (page) =>
  page.locator('.node').evaluateAll((ns) => {
    const probe = document.createElement('span');
    probe.style.color = 'var(--cause)';
    document.body.append(probe);
    const cause = getComputedStyle(probe).color;
    probe.remove();
    return ns
      .filter((n) => {
        const r = n.querySelector('.ring');
        const st = r && getComputedStyle(r);
        return st && st.strokeWidth === '4px' && st.stroke === cause;
      })
      .map((n) => ({ node: n.dataset.node, kind: n.dataset.kind }));
  });

export async function acks_1_shows_acknowledged_writes_lost_in_the_producers_panel(t) {
  const page = await t.openApp('/?scenario=kafka-acks-1&step=2500&panel=producers');
  await pause(page);
  const p = page.locator('section[data-producer="producer"]');
  await p.waitFor();
  const acked = Number(await p.getAttribute('data-acked'));
  const lost = Number(await p.getAttribute('data-lost'));
  assert.ok(acked > 0, `acknowledged ${acked}`);
  assert.ok(lost > 0 && lost <= acked, `lost ${lost} of ${acked}`);
  assert.match(await p.innerText(), /acks=1/);
  assert.match(await p.locator('.plost').innerText(), /no longer in the leader's log/);
  await t.screenshot(page, 'kafka-producers-acks1');
  // Before the leader died nothing was lost.
  await seek(page, 1300);
  assert.equal(await p.getAttribute('data-lost'), '0');
}

export async function metrics_show_one_controller_and_under_replicated_partitions_after_a_crash(t) {
  const page = await t.openApp('/?scenario=kafka-leader-failover&step=1700&panel=metrics');
  await pause(page);
  await page.locator('[data-metric="ActiveControllerCount"]').waitFor();
  assert.equal(await metric(page, 'ActiveControllerCount'), '1');
  assert.ok(Number(await metric(page, 'UnderReplicatedPartitions')) > 0, 'no under-replicated partition after the crash');
  assert.match(await metric(page, 'zk_server_state'), /leader/);
  assert.ok(Number(await metric(page, 'zk_znode_count')) > 10);
  await t.screenshot(page, 'kafka-metrics');
  // The link to the step that last changed it seeks there.
  const link = page.locator('[data-metric="UnderReplicatedPartitions"] button[data-seek]');
  const target = Number(await link.getAttribute('data-seek'));
  await link.click();
  assert.equal(await cursor(page), target);
  assert.ok(Number(await metric(page, 'UnderReplicatedPartitions')) > 0);
  // Before the crash (step 1205) every partition is fully replicated.
  await seek(page, 1000);
  assert.equal(await metric(page, 'UnderReplicatedPartitions'), '0');
  assert.equal(await metric(page, 'ActiveControllerCount'), '1');
}

export async function kafka_znodes_show_indented_json_and_the_last_steps_change(t) {
  const page = await t.openApp('/?scenario=kafka-default&step=700&panel=znodes');
  await pause(page);
  const broker = page.locator('[data-znode="/brokers/ids/1"] .znode-json');
  await broker.waitFor();
  const text = await broker.innerText();
  assert.match(text, /^\{\n  "/, text);
  assert.match(text, /\n}$/, text);
  const topic = await page.locator('[data-znode="/brokers/topics/events"] .znode-json').innerText();
  assert.match(topic, /"0": \[\d, \d(, \d)?\]/, topic);
  // A step that commits a write highlights the znode it changed (seed 1: step 638 commits).
  await seek(page, 637);
  assert.equal(await page.locator('.znode.changed-now').count(), 0);
  await seek(page, 638);
  assert.ok((await page.locator('.znode.changed-now').count()) > 0, 'no znode highlighted at a commit step');
  await page.locator('.znode.changed-now').first().scrollIntoViewIfNeeded();
  await t.screenshot(page, 'kafka-znodes-json');
}
