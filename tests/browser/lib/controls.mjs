// The page's run controls as the tests drive them: a button by its accessible name, the
// current step from the readout, the speed slider, and playing until something holds.

/** The button whose accessible name is exactly `name`. */
export const button = (page, name) => page.getByRole('button', { name, exact: true });

/** The current step, from the readout under the timeline. */
export async function cursor(page) {
  const text = await page.locator('#step-readout').innerText();
  return Number(text.match(/step (\d+)/)[1]);
}

/** Sets the speed slider to `level`. */
export async function setSpeed(page, level) {
  await page.getByRole('slider', { name: 'Speed', exact: true }).fill(String(level));
}

/** Plays until `done()` holds, then pauses; fails after `timeoutMs` of playing. */
export async function playUntil(page, done, what, timeoutMs = 60_000) {
  await button(page, 'Play').click();
  const started = Date.now();
  try {
    while (!(await done())) {
      if (Date.now() - started > timeoutMs) {
        throw new Error(`played ${timeoutMs} ms (to step ${await cursor(page)}) without ${what}`);
      }
      await page.waitForTimeout(50);
    }
  } finally {
    if (await button(page, 'Pause').count()) await button(page, 'Pause').click();
  }
}
