import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

const SHOTS = 'test-results/screenshots';
const API = '/jlab-platform/api/tensorboard';
const PANEL = '#jlab-platform-panel';

/** The TensorBoard tab that shows. */
function tensorboardTab(page: IJupyterLabPageFixture): Locator {
  return page.locator('.jp-TensorBoardView:visible');
}

/** Stop every instance a test started: TensorBoard processes do not outlive their test. */
async function stopAll(page: IJupyterLabPageFixture): Promise<void> {
  const response = await page.request.get(API);
  const { instances } = (await response.json()) as { instances: { id: string }[] };
  for (const instance of instances) {
    await page.request.delete(`${API}/${instance.id}`);
  }
}

test.describe('TensorBoard', () => {
  test.afterEach(async ({ page }) => {
    await stopAll(page);
  });

  test("a job's metrics open in TensorBoard from its view, with the job's scalar charts", async ({ page, tmpPath }) => {
    const script = `${tmpPath}/tb_train.py`;
    await page.contents.uploadContent(
      [
        'import json, math',
        'n = 30',
        'for i in range(1, n + 1):',
        '    print(json.dumps({"metric": "loss", "value": round(math.exp(-i / 8), 4), "step": i, "total": n}))',
        '    print(json.dumps({"metric": "accuracy", "value": round(1 - math.exp(-i / 6), 4), "step": i, "total": n}))',
        'print("training done", flush=True)',
        ''
      ].join('\n'),
      'text',
      script
    );
    const submitted = await page.request.post('/jlab-platform/api/jobs', {
      data: { script, env: 'cpu', args: '--lr 0.01' }
    });
    expect(submitted.status()).toBe(201);
    const job = (await submitted.json()) as { id: string; name: string; tensorboard_run: string | null };
    await page.evaluate(id => window.jupyterapp.commands.execute('jlab-platform:open-job', { id }), job.id);
    const jobView = page.locator('.jp-JobView:visible');
    await expect(jobView.locator('.jp-JobView-status')).toHaveText('success', { timeout: 60000 });

    const button = page.locator('.jp-JobViewPanel:visible .jp-JobView-tensorboard');
    await page
      .locator('.jp-JobViewPanel:visible .jp-Toolbar')
      .screenshot({ path: `${SHOTS}/tensorboard-job-button.png` });
    await button.click();
    const tab = tensorboardTab(page);
    await expect(tab).toHaveAttribute('data-state', 'running', { timeout: 60000 });
    const runFolder = `${job.name}-${job.id}`;
    // The button opened the folder the server named for the job's run.
    expect(job.tensorboard_run).toBe(`results/tensorboard/${runFolder}`);
    await expect(page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current')).toHaveText(runFolder);

    // TensorBoard's own page, through the proxy: the job's scalars as charts.
    const board = page.frameLocator('.jp-TensorBoardView:visible iframe');
    const loss = board.locator('scalar-card', { hasText: 'loss' });
    await expect(loss).toBeVisible({ timeout: 60000 });
    const accuracy = board.locator('scalar-card', { hasText: 'accuracy' });
    await expect(accuracy).toBeVisible();
    // A card's table shows the value at the last step: the job's own numbers, served through the proxy
    // (TensorBoard draws a card once it is scrolled into view).
    await expect(accuracy.locator('scalar-card-data-table')).toContainText('0.9933', { timeout: 30000 });
    await loss.scrollIntoViewIfNeeded();
    await expect(loss.locator('scalar-card-data-table')).toContainText('0.0235', { timeout: 30000 });
    // The "succeeded" toast closes by itself; wait so that it does not cover the chart.
    await expect(page.locator('.jp-Notification-Toast-success')).toHaveCount(0, { timeout: 15000 });
    await page.screenshot({ path: `${SHOTS}/tensorboard-job.png` });

    // Opening again reuses the tab.
    await page.evaluate(
      logdir => window.jupyterapp.commands.execute('jlab-platform:open-tensorboard', { logdir }),
      `results/tensorboard/${runFolder}/`
    );
    await expect(page.locator('.jp-TensorBoardView')).toHaveCount(1);

    await page.sidebar.openTab('jlab-platform-panel');
    const row = page.locator(`${PANEL} .jp-TensorBoardRow[data-logdir="results/tensorboard/${runFolder}"]`);
    await expect(row).toBeVisible({ timeout: 15000 });
    await expect(row.locator('.jp-TensorBoardRow-times')).toContainText('since');
    const section = page.locator(`${PANEL} .jp-TensorBoardSection`);
    await section.screenshot({ path: `${SHOTS}/tensorboard-section.png` });

    await page.theme.setDarkTheme();
    // TensorBoard's page follows the theme: loaded again in its dark mode.
    await expect(page.locator('.jp-TensorBoardView:visible iframe')).toHaveAttribute('src', /\?darkMode=true$/);
    await expect(loss).toBeVisible({ timeout: 60000 });
    await loss.scrollIntoViewIfNeeded();
    await expect(loss.locator('scalar-card-data-table')).toContainText('0.0235', { timeout: 30000 });
    await page.screenshot({ path: `${SHOTS}/tensorboard-job-dark.png` });
    await section.screenshot({ path: `${SHOTS}/tensorboard-section-dark.png` });

    // Stop from the panel: the tab says so, and Start Again brings the charts back.
    await row.locator('.jp-JobAction[data-action="stop"]').click();
    await expect(row).toHaveCount(0);
    await expect(tab).toHaveAttribute('data-state', 'stopped', { timeout: 15000 });
    await expect(tab.locator('.jp-TensorBoardView-text')).toContainText('was stopped');
    await tab.locator('.jp-TensorBoardView-start').click();
    await expect(tab).toHaveAttribute('data-state', 'running', { timeout: 60000 });
    await expect(loss).toBeVisible({ timeout: 60000 });
  });

  test("a folder's context menu opens it in TensorBoard; a folder outside the workspace says why", async ({
    page,
    tmpPath
  }) => {
    await page.contents.createDirectory(`${tmpPath}/tb_logs`);
    await page.filebrowser.refresh();
    await page.locator('.jp-DirListing-item[data-isdir="true"]', { hasText: 'tb_logs' }).click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Open in TensorBoard' }).click();
    const tab = tensorboardTab(page);
    await expect(tab).toHaveAttribute('data-state', 'running', { timeout: 60000 });
    await expect(page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current')).toHaveText('tb_logs');
    // TensorBoard answers through the proxy (an empty folder has no dashboard yet).
    await expect(page.frameLocator('.jp-TensorBoardView:visible iframe').locator('body')).toContainText(
      /No dashboards are active/,
      { timeout: 60000 }
    );

    await page.evaluate(() =>
      window.jupyterapp.commands.execute('jlab-platform:open-tensorboard', { logdir: '../outside' })
    );
    const failed = page.locator('.jp-TensorBoardView[data-state="failed"]:visible');
    await expect(failed).toBeVisible({ timeout: 30000 });
    await expect(failed.locator('.jp-TensorBoardView-text')).toContainText(
      'TensorBoard could not start for ../outside/'
    );
    await expect(failed.locator('.jp-TensorBoardView-start')).toHaveText('Try Again');
    await page.screenshot({ path: `${SHOTS}/tensorboard-failed.png` });
    await page.theme.setDarkTheme();
    await page.screenshot({ path: `${SHOTS}/tensorboard-failed-dark.png` });
  });

  test('%platform_tensorboard shows a card and opens the tab beside the notebook', async ({ page, tmpPath }) => {
    await page.contents.createDirectory(`${tmpPath}/nb_logs`);
    await page.notebook.createNew('tb_magic.ipynb');
    await page.notebook.setCell(0, 'code', '%load_ext jlab_platform.kernel\n%platform_tensorboard nb_logs');
    await page.notebook.runCell(0);
    const card = page.locator('.jp-NotebookPanel .jp-TensorBoardCard');
    await expect(card.locator('.jp-TensorBoardCard-folder')).toHaveText(`${tmpPath}/nb_logs/`, { timeout: 60000 });
    // The tab opened by itself, beside the notebook: both show.
    await expect(tensorboardTab(page)).toHaveAttribute('data-state', 'running', { timeout: 60000 });
    await expect(page.locator('.jp-NotebookPanel:visible')).toHaveCount(1);
    await expect(page.frameLocator('.jp-TensorBoardView:visible iframe').locator('body')).toContainText(
      /No dashboards are active/,
      { timeout: 60000 }
    );
    await page.screenshot({ path: `${SHOTS}/tensorboard-magic.png` });

    // Closed, the card's button opens it again.
    await page.locator('.lm-TabBar-tab', { hasText: 'nb_logs' }).locator('.lm-TabBar-tabCloseIcon').click();
    await expect(page.locator('.jp-TensorBoardView')).toHaveCount(0);
    await card.locator('.jp-TensorBoardCard-open').click();
    await expect(tensorboardTab(page)).toHaveAttribute('data-state', 'running', { timeout: 60000 });
    await page.theme.setDarkTheme();
    await card.screenshot({ path: `${SHOTS}/tensorboard-magic-card-dark.png` });
  });

  test('the launcher card and Open TensorBoard… ask for the folder, the runs folder the server names', async ({
    page
  }) => {
    // The server's tensorboard_runs_dir (this test server keeps the default).
    const info = await (await page.request.get('/jlab-platform/api/info')).json();
    expect(info.tensorboard_runs_dir).toBe('results/tensorboard');
    const dialog = page.locator('.jp-Dialog');
    await page.locator('.jp-LauncherCard[title="Start TensorBoard for a log folder"]').click();
    await expect(dialog.locator('input')).toHaveValue('results/tensorboard');
    await expect(dialog).toContainText('every job writes its run under results/tensorboard/');
    await dialog.locator('.jp-Dialog-button.jp-mod-reject').click();
    await expect(dialog).toHaveCount(0);

    // Where jobs write their runs (made here in case no job ran before this test).
    await page.contents.createDirectory('results');
    await page.contents.createDirectory('results/tensorboard');
    // The command resolves once the dialog is answered.
    const done = page.evaluate(() => window.jupyterapp.commands.execute('jlab-platform:open-tensorboard'));
    await expect(dialog.locator('input')).toHaveValue('results/tensorboard');
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await done;
    await expect(tensorboardTab(page)).toHaveAttribute('data-state', 'running', { timeout: 60000 });
    await expect(page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab.jp-mod-current')).toHaveText('tensorboard');
  });
});
