import { expect, test } from '@jupyterlab/galata';

test('the Jobs section says where jobs run', async ({ page }) => {
  await page.sidebar.openTab('jlab-platform-panel');
  const cluster = page.locator('#jlab-platform-panel .jp-JobsSection-cluster');
  await expect(cluster).toHaveText(/^This machine: cpu slots \d+\/\d+ in use · (no GPU|GPUs \d+\/\d+ in use)$/);
  await page.screenshot({ path: 'test-results/screenshots/jobs-cluster.png' });
});

test('the Jobs section shows the disk job snapshots take, in light and dark themes', async ({ page }) => {
  await page.sidebar.openTab('jlab-platform-panel');
  const panel = page.locator('#jlab-platform-panel');
  const snapshots = panel.locator('.jp-JobsSection-snapshots');
  await expect(snapshots).toHaveText(/^Snapshots: [\d.]+ (B|KiB|MiB|GiB) of 10 GiB$/);
  await expect(snapshots).toHaveAttribute('title', /Delete finished jobs/);
  await panel.screenshot({ path: 'test-results/screenshots/jobs-snapshots.png' });
  await page.theme.setDarkTheme();
  await expect(snapshots).toBeVisible();
  await panel.screenshot({ path: 'test-results/screenshots/jobs-snapshots-dark.png' });
});
