import { expect, galata, test } from '@jupyterlab/galata';

test.describe('Server errors in the UI language', () => {
  test.use({
    mockSettings: { ...galata.DEFAULT_SETTINGS, '@jupyterlab/translation-extension:plugin': { locale: 'zh_CN' } },
    // Galata waits for a tab titled 'Launcher'; in Chinese it is 启动页, so wait for the app instead.
    waitForApplication: async ({}, use) => {
      await use(async page => {
        await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
        await page.locator('.jp-Launcher').first().waitFor();
      });
    }
  });

  test('a refused job submission says why in Chinese', async ({ page, tmpPath }) => {
    expect(await page.evaluate(() => document.documentElement.lang)).toBe('zh-CN');
    const submitted = page.evaluate(
      path => window.jupyterapp.commands.execute('jlab-platform:submit-job', { path }),
      `${tmpPath}/missing.py`
    );
    const refused = page.waitForResponse(
      response => response.url().includes('/jlab-platform/api/jobs') && response.request().method() === 'POST'
    );
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();
    const answer = await (await refused).json();
    expect(answer.error).toMatch(/[\u4e00-\u9fff]/);
    await expect(page.locator('.jp-Notification-Toast-error')).toContainText(answer.error);
    await page.waitForTimeout(1000); // the toast slides in
    await page.screenshot({ path: 'test-results/screenshots/server-error-zh.png' });
    await submitted;
  });
});
