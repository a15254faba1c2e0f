import { expect, test } from '@jupyterlab/galata';

import * as pkg from '../../package.json';

const PANEL = '#jlab-platform-panel';

function valueOf(key: string): string {
  return `${PANEL} .jp-PlatformPanel-row[data-key="${key}"] .jp-PlatformPanel-value`;
}

test.describe('Platform panel', () => {
  test.use({ autoGoto: false });

  test('shows the server version and capabilities, with no browser errors', async ({ page }) => {
    const errors: string[] = [];
    page.on('console', message => {
      if (message.type() === 'error') {
        errors.push(message.text());
      }
    });
    page.on('pageerror', error => errors.push(error.message));

    await page.goto();
    await page.sidebar.openTab('jlab-platform-panel');
    await expect(page.locator(valueOf('version'))).toHaveText(pkg.version);
    await expect(page.locator(valueOf('torch'))).toHaveText(/^2\./);
    await expect(page.locator(valueOf('gpus'))).toHaveText(/^\d+/);
    await expect(page.locator(valueOf('results'))).toHaveText('results/');
    // No version-mismatch or unreachable-server notification.
    await expect(page.locator('.jp-Notification-Toast-warning')).toHaveCount(0);

    await page.screenshot({ path: 'test-results/screenshots/platform-panel.png' });
    expect(errors).toEqual([]);
  });

  test('refresh asks the server to detect again', async ({ page }) => {
    await page.goto();
    await page.sidebar.openTab('jlab-platform-panel');
    const refreshed = page.waitForResponse(
      response => response.url().includes('/jlab-platform/api/info/refresh') && response.status() === 200
    );
    await page.locator(`${PANEL} .jp-PlatformPanel-refresh`).click();
    await refreshed;
    await expect(page.locator(valueOf('version'))).toHaveText(pkg.version);
  });

  test('the panel opens from the command palette', async ({ page }) => {
    await page.goto();
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jlab-platform:open');
    });
    await expect(page.locator(PANEL)).toBeVisible();
  });
});

test.describe('Kernel library', () => {
  test('%platform_info prints the server facts in a notebook cell', async ({ page }) => {
    await page.notebook.createNew('platform.ipynb');
    await page.notebook.setCell(0, 'code', '%load_ext jlab_platform.kernel\n%platform_info');
    await page.notebook.runCell(0);
    const output = await page.notebook.getCellTextOutput(0);
    expect(output?.join('\n')).toContain(`jlab_platform ${pkg.version}`);
    await page.screenshot({ path: 'test-results/screenshots/platform-info-magic.png' });
  });
});
