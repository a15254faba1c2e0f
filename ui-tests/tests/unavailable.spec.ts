import { expect, test } from '@jupyterlab/galata';

const PANEL = '#jlab-platform-panel';
// What the server answers on every route when its store cannot be opened (tests/server/test_store_unavailable.py).
const DOWN = {
  error: "The platform's store /home/me/.jlab_platform/platform.db cannot be opened: file is not a database",
  detail:
    'Move /home/me/.jlab_platform/platform.db (with its -wal and -shm files) aside and restart the server to start a new store, or put a backup in its place.'
};

test.describe('A platform that cannot start', () => {
  test.use({ autoGoto: false });

  test('says why and what to do, not "is it installed?"', async ({ page }) => {
    await page.route('**/jlab-platform/api/**', route =>
      route.fulfill({ status: 503, contentType: 'application/json', body: JSON.stringify(DOWN) })
    );
    await page.goto();
    const toast = page.locator('.jp-Notification-Toast-error');
    await expect(toast).toContainText('The platform cannot work');
    await expect(toast).toContainText('file is not a database');
    await expect(toast).not.toContainText('is it installed');
    await page.screenshot({ path: 'test-results/screenshots/platform-unavailable-toast.png' });
    await toast.getByRole('button', { name: 'Details' }).click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog).toContainText('Move /home/me/.jlab_platform/platform.db (with its -wal and -shm files) aside');
    await page.screenshot({ path: 'test-results/screenshots/platform-unavailable-details.png' });
    await dialog.getByRole('button', { name: 'Close' }).click();

    await page.sidebar.openTab('jlab-platform-panel');
    const error = page.locator(`${PANEL} .jp-PlatformPanel-error`);
    await expect(error).toContainText('cannot be opened: file is not a database');
    await expect(error).toContainText('Move /home/me/.jlab_platform/platform.db');
    await expect(error).not.toContainText('Cannot reach');
    await page.screenshot({ path: 'test-results/screenshots/platform-unavailable.png' });
  });
});
