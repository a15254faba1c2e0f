import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

const PANEL = '#jlab-platform-modules';

/** Two classes of 16x16 stripes, written into `data/` beside the script. */
const MAKE_DATASET = [
  'import numpy as np',
  'from pathlib import Path',
  'from PIL import Image',
  'rng = np.random.default_rng(0)',
  'stripes = (np.arange(16) // 2 % 2) * 200.0',
  'patterns = {"horizontal": np.tile(stripes[:, None], (1, 16)), "vertical": np.tile(stripes, (16, 1))}',
  'for name, pattern in patterns.items():',
  '    Path("data", name).mkdir(parents=True, exist_ok=True)',
  '    for i in range(8):',
  '        noisy = np.clip(pattern + rng.normal(30, 20, (16, 16)), 0, 255).astype(np.uint8)',
  '        Image.fromarray(noisy).save(f"data/{name}/{i}.png")',
  'print("dataset ready")',
  ''
].join('\n');

/** A notebook in `tmpPath` whose first cell made the dataset `data/` beside it. */
async function notebookWithDataset(page: IJupyterLabPageFixture, tmpPath: string, name: string): Promise<void> {
  await page.contents.uploadContent(MAKE_DATASET, 'text', `${tmpPath}/make_dataset.py`);
  await page.notebook.createNew(name);
  await page.notebook.setCell(0, 'code', '%run make_dataset.py');
  await page.notebook.runCell(0);
  expect((await page.notebook.getCellTextOutput(0))?.join('')).toBe('dataset ready\n');
}

function item(page: IJupyterLabPageFixture, name: string): Locator {
  return page.locator(`${PANEL} .jp-ModulesItem[data-kind="module"][data-name="${name}"]`);
}

function field(page: IJupyterLabPageFixture, name: string): Locator {
  return page.locator(`${PANEL} .jp-ModulesForm-field[data-name="${name}"]`);
}

/** Run folders of a module under the server's results/, oldest first. */
async function runs(page: IJupyterLabPageFixture, module: string): Promise<string[]> {
  const response = await page.request.get(`/api/contents/results/${module}?content=1`);
  if (!response.ok()) {
    return [];
  }
  const listing = (await response.json()) as { content: { name: string; type: string }[] };
  return listing.content
    .filter(entry => entry.type === 'directory')
    .map(entry => entry.name)
    .sort();
}

test.describe('Modules & Datasets', () => {
  test('search, fill the Train form, insert the code, run it: progress bar and checkpoint', async ({
    page,
    tmpPath
  }) => {
    await notebookWithDataset(page, tmpPath, 'modules.ipynb');

    await page.sidebar.openTab('jlab-platform-modules');
    const search = page.locator(`${PANEL} .jp-ModulesPanel-search`);
    await expect(item(page, 'image-classifier')).toBeVisible();
    await expect(item(page, 'keras-classifier')).toBeVisible();
    await search.fill('pytorch cnn');
    await expect(item(page, 'keras-classifier')).toHaveCount(0);
    await expect(item(page, 'image-classifier')).toBeVisible();
    await item(page, 'image-classifier').locator('.jp-ModulesItem-open').click();

    // The README, rendered as markdown, and the form generated from the spec.
    await expect(page.locator(`${PANEL} .jp-ModulesDetail-readme h1`)).toContainText('Image classifier (PyTorch)');
    await page.locator(`${PANEL} .jp-ModulesDetail-train`).click();
    // The training configuration's fields, grouped like the seed's steps.
    const group = (name: string) => page.locator(`${PANEL} .jp-ModulesForm-group[data-group="${name}"]`);
    await expect(group('Training parameters').locator('.jp-ModulesForm-field[data-name="max_iter"]')).toBeVisible();
    await expect(field(page, 'max_iter').locator('input')).toHaveValue('60');
    await expect(field(page, 'base_lr').locator('input')).toHaveValue('0.05');
    await expect(field(page, 'lr_policy').locator('select')).toHaveValue('poly');
    await expect(group('Preprocessing').locator('.jp-ModulesForm-field[data-name="flip"]')).toBeVisible();
    await expect(group('Older names')).not.toHaveAttribute('open', ''); // optional, empty: closed
    await group('Training parameters').scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'test-results/screenshots/modules-train-form.png' });

    // Checked in the browser first...
    await field(page, 'epochs').locator('input').fill('0');
    const older = group('Older names').locator('summary');
    await older.click();
    await field(page, 'val_split').locator('input').fill('2');
    await older.click(); // closed again: the error below opens it
    await page.locator(`${PANEL} .jp-ModulesForm-insert`).click();
    await expect(field(page, 'epochs').locator('.jp-ModulesForm-error')).toHaveText('Must be between 1 and 500');
    await expect(group('Older names')).toHaveAttribute('open', ''); // opened to show its error
    await field(page, 'val_split').locator('input').fill('');
    await expect(field(page, 'data_dir').locator('.jp-ModulesForm-error')).toHaveText('Required');
    // ...and by the server, whose message shows next to its field.
    await field(page, 'epochs').locator('input').fill('3');
    await field(page, 'image_size').locator('input').fill('16');
    await field(page, 'data_dir').locator('input').fill(`${tmpPath}/no-such-folder`);
    await page.locator(`${PANEL} .jp-ModulesForm-insert`).click();
    await expect(field(page, 'data_dir').locator('.jp-ModulesForm-error')).toContainText('does not exist');
    await field(page, 'data_dir').locator('input').fill(`${tmpPath}/data`);
    const before = await runs(page, 'image-classifier');
    // Running cell 0 moved to a new empty cell 1: the code goes right below that one.
    expect(await page.notebook.getCellCount()).toBe(2);
    await page.locator(`${PANEL} .jp-ModulesForm-insert`).click();

    // A new cell right below the active one, with the values as literals (paths from the notebook).
    await expect.poll(() => page.notebook.getCellCount()).toBe(3);
    const code = await page.notebook.getCellTextInput(2);
    expect(code).toContain('module = modules.load("image-classifier")');
    expect(code).toContain('data_dir="data"');
    expect(code).toContain('epochs=3');
    expect(await page.contents.fileExists(`${tmpPath}/modules.deploy.yml`)).toBe(true);

    await page.notebook.runCell(2);
    await expect(page.locator('.jlab-platform-progress')).toBeVisible();
    const output = (await page.notebook.getCellTextOutput(2))?.join('') ?? '';
    // People read a line per report (12 training images: one iteration a pass) and where the
    // run went, not the jobs' JSON metric lines.
    expect(output).toContain('iteration 3/3 · loss');
    expect(output).not.toContain('"metric"');
    const after = await runs(page, 'image-classifier');
    expect(after.length).toBe(before.length + 1);
    const run = after.filter(name => !before.includes(name))[0];
    expect(output).toContain(`Saved to results/image-classifier/${run}/`);
    expect(await page.contents.fileExists(`results/image-classifier/${run}/model.pt`)).toBe(true);
    expect(await page.contents.fileExists(`results/image-classifier/${run}/run.json`)).toBe(true);

    await page.screenshot({ path: 'test-results/screenshots/modules.png' });
    await page.theme.setDarkTheme();
    await group('Preprocessing').scrollIntoViewIfNeeded();
    await page.screenshot({ path: 'test-results/screenshots/modules-train-form-dark.png' });
    await page.theme.setLightTheme();
  });

  test('favorites persist, and filters narrow the list', async ({ page }) => {
    await page.sidebar.openTab('jlab-platform-modules');
    const star = item(page, 'keras-classifier').locator('.jp-ModulesItem-star');
    await expect(star).toBeVisible();
    if ((await star.getAttribute('aria-pressed')) === 'true') {
      await star.click(); // left starred by an interrupted earlier run
      await expect(star).toHaveAttribute('aria-pressed', 'false');
    }
    await star.click();
    await expect(star).toHaveAttribute('aria-pressed', 'true');

    await page.reload();
    await page.sidebar.openTab('jlab-platform-modules');
    await page.locator(`${PANEL} .jp-ModulesPanel-favorites`).click();
    await expect(item(page, 'keras-classifier')).toBeVisible();
    await expect(item(page, 'image-classifier')).toHaveCount(0);
    await item(page, 'keras-classifier').locator('.jp-ModulesItem-star').click();
    await expect(page.locator(`${PANEL} .jp-ModulesPanel-status`)).toHaveText('Nothing matches.');
    await page.locator(`${PANEL} .jp-ModulesPanel-favorites`).click();

    await page.locator(`${PANEL} .jp-ModulesPanel-kind`).selectOption('dataset');
    await expect(item(page, 'image-classifier')).toHaveCount(0);
    await page.locator(`${PANEL} .jp-ModulesPanel-kind`).selectOption('all');
    await page.locator(`${PANEL} .jp-ModulesPanel-task`).selectOption('image-classification');
    await expect(item(page, 'image-classifier')).toBeVisible();
  });

  test('Run as job saves the call as a script and submits it through the Jobs dialog', async ({ page, tmpPath }) => {
    await notebookWithDataset(page, tmpPath, 'job_data.ipynb');
    await page.sidebar.openTab('jlab-platform-modules');
    await item(page, 'image-classifier').locator('.jp-ModulesItem-open').click();
    await page.locator(`${PANEL} .jp-ModulesDetail-train`).click();
    await field(page, 'data_dir').locator('input').fill(`${tmpPath}/data`);
    await field(page, 'epochs').locator('input').fill('1');
    await field(page, 'image_size').locator('input').fill('16');
    await page.locator(`${PANEL} .jp-ModulesForm-job`).click();

    const dialog = page.locator('.jp-Dialog');
    const scriptName = /^module_jobs\/image-classifier-train-\d{8}-\d{6}\.py$/;
    await expect(dialog.locator('.jp-JobSubmit-script')).toHaveText(scriptName);
    const script = (await dialog.locator('.jp-JobSubmit-script').textContent()) ?? '';
    await dialog.locator('.jp-JobSubmit-env').selectOption('cpu');
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();

    await page.sidebar.openTab('jlab-platform-panel');
    const row = page
      .locator('#jlab-platform-panel .jp-JobRow')
      .filter({ has: page.locator('.jp-JobRow-script', { hasText: script }) });
    await expect(row).toHaveAttribute('data-status', 'success', { timeout: 90000 });
  });
});
