import { expect, test } from '@jupyterlab/galata';

test('the Jobs section says where jobs run', async ({ page }) => {
  await page.sidebar.openTab('jlab-platform-panel');
  const cluster = page.locator('#jlab-platform-panel .jp-JobsSection-cluster');
  await expect(cluster).toHaveText(/^This machine: cpu slots \d+\/\d+ in use · (no GPU|GPUs \d+\/\d+ in use)$/);
  await page.screenshot({ path: 'test-results/screenshots/jobs-cluster.png' });
});
