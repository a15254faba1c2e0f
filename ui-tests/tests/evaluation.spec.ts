import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

const SHOTS = 'test-results/screenshots';

/** Three classes of 16x16 patterns (and one 64x16 image the config's resolution bound leaves out). */
const TRAIN = [
  'import numpy as np',
  'from pathlib import Path',
  'from PIL import Image',
  'from jlab_platform.kernel import modules',
  'rng = np.random.default_rng(0)',
  'stripes = (np.arange(16) // 2 % 2) * 200.0',
  'patterns = {',
  '    "horizontal": np.tile(stripes[:, None], (1, 16)),',
  '    "vertical": np.tile(stripes, (16, 1)),',
  '    "checker": np.abs(np.tile(stripes[:, None], (1, 16)) - np.tile(stripes, (16, 1))),',
  '}',
  'for name, pattern in patterns.items():',
  '    Path("data", name).mkdir(parents=True, exist_ok=True)',
  '    for i in range(14):',
  '        noisy = np.clip(pattern + rng.normal(0, 90, (16, 16)), 0, 255).astype(np.uint8)',
  '        Image.fromarray(noisy).convert("RGB").save(f"data/{name}/{i:02d}.png")',
  'Image.fromarray(np.zeros((16, 64), dtype=np.uint8)).save("data/checker/wide.png")',
  'modules.train("image-classifier", data_dir="data", config="train.yml", image_size=16)',
  ''
].join('\n');

const CONFIG = [
  'base_lr: 0.05',
  'batch_size: 8',
  'max_iter: 12',
  'lr_policy: poly',
  'power: 1',
  'split: 0.6',
  'resolution: {max_width: 32}',
  ''
].join('\n');

async function trainingJob(page: IJupyterLabPageFixture, tmpPath: string): Promise<string> {
  await page.contents.uploadContent(CONFIG, 'text', `${tmpPath}/train.yml`);
  await page.contents.uploadContent(TRAIN, 'text', `${tmpPath}/train.py`);
  const submitted = await page.request.post('/jlab-platform/api/jobs', {
    data: { script: `${tmpPath}/train.py`, env: 'cpu' }
  });
  expect(submitted.status()).toBe(201);
  return ((await submitted.json()) as { id: string }).id;
}

test.describe('Evaluation report', () => {
  test('train with a config, evaluate from the job view, drill into a cell, zoom, download a zip', async ({
    page,
    tmpPath
  }) => {
    const jobId = await trainingJob(page, tmpPath);
    await page.evaluate(id => window.jupyterapp.commands.execute('jlab-platform:open-job', { id }), jobId);
    const jobPanel = page.locator('.jp-JobViewPanel:visible');
    await expect(jobPanel.locator('.jp-JobView-status')).toHaveText('success', { timeout: 90000 });

    // Evaluate: the dialog offers the run's own validation split.
    await jobPanel.locator('.jp-JobView-evaluate').click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog.locator('.jp-EvalDialog-data')).toHaveValue('val');
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();

    // The report opens at once and fills in when the evaluation job has written it.
    const report = page.locator('.jp-EvalReport:visible');
    await expect(report.locator('.jp-EvalReport-status')).toHaveAttribute('data-status', 'complete', {
      timeout: 90000
    });
    await expect(report.locator('.jp-EvalReport-card[data-key="noncompliant"] .jp-EvalReport-cardValue')).toHaveText(
      '1'
    );
    await expect(report.locator('.jp-EvalReport-classes tbody tr')).toHaveCount(3);
    await expect(report.locator('.jp-EvalReport-matrix tbody tr')).toHaveCount(3);

    // Sorting the table by recall puts the rows in order of their recall.
    await report.locator('.jp-EvalReport-classes th[data-column="recall"]').click();
    await expect(report.locator('.jp-EvalReport-classes th[data-column="recall"]')).toHaveAttribute(
      'aria-sort',
      'descending'
    );

    // A confusion-matrix cell shows exactly its samples.
    // An error cell when the model made errors, else a diagonal one.
    const errors = report.locator('.jp-EvalReport-matrix td.jp-EvalReport-link:not(.jp-mod-diagonal)');
    const cell = (await errors.count())
      ? errors.first()
      : report.locator('.jp-EvalReport-matrix td.jp-EvalReport-link').first();
    const count = Number((await cell.textContent())?.replace(/,/g, ''));
    await cell.click();
    const tiles = report.locator('.jp-EvalSamples-tile');
    await expect(tiles).toHaveCount(Math.min(count, 48));
    await expect(tiles.first().locator('img')).toHaveJSProperty('complete', true);
    await expect(report.locator('.jp-EvalSamples-title')).toContainText('predicted as');
    await page.screenshot({ path: `${SHOTS}/evaluation-report.png` });

    // Zoom one sample: the image and its facts.
    await tiles.first().locator('img').click();
    const zoom = page.locator('.jp-Dialog .jp-EvalZoom');
    await expect(zoom.locator('img')).toBeVisible();
    await expect(zoom.locator('dd').nth(1)).not.toBeEmpty();
    await page.screenshot({ path: `${SHOTS}/evaluation-zoom.png` });
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-reject').click();

    // Select the page and download it as one zip.
    await report.locator('[data-action="select-page"]').click();
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      report.locator('[data-action="download-selected"]').click()
    ]);
    expect(download.suggestedFilename()).toMatch(count > 1 ? /samples\.zip$/ : /\.png$/);

    // The non-compliant image of its class, with the reason.
    await report.locator('.jp-EvalReport-classes td[data-column="noncompliant"].jp-EvalReport-link').click();
    await expect(tiles).toHaveCount(1);
    await expect(tiles.first()).toContainText('width 64 > max_width 32');

    await page.theme.setDarkTheme();
    await page.screenshot({ path: `${SHOTS}/evaluation-report-dark.png` });
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.screenshot({ path: `${SHOTS}/evaluation-report-1024.png` });
    await page.theme.setLightTheme();

    // The Modules panel lists the run with its report and an Evaluate action.
    await page.sidebar.openTab('jlab-platform-modules');
    const modules = page.locator('#jlab-platform-modules');
    await modules
      .locator('.jp-ModulesItem[data-kind="module"][data-name="image-classifier"] .jp-ModulesItem-open')
      .click();
    const run = modules.locator('.jp-EvalRuns-run').first();
    await expect(run.locator('.jp-EvalRuns-evaluate')).toBeEnabled();
    await expect(run.locator('.jp-EvalRuns-report')).toContainText('val · complete');
    await run.scrollIntoViewIfNeeded();
    await modules.screenshot({ path: `${SHOTS}/evaluation-modules-runs.png` });
  });
});
