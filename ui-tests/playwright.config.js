/**
 * Galata in Debian's Chromium (never a downloaded browser).
 */
const baseConfig = require('@jupyterlab/galata/lib/playwright-config');

// UI_PORT lets several test runs share a machine (each starts its own JupyterLab).
const port = process.env.UI_PORT || '8888';

module.exports = {
  ...baseConfig,
  timeout: 120000,
  workers: 1,
  retries: process.env.CI ? 1 : 0,
  reporter: [['list']],
  use: {
    ...baseConfig.use,
    baseURL: `http://localhost:${port}`,
    launchOptions: {
      executablePath: '/usr/bin/chromium',
      args: [
        '--no-sandbox',
        '--disable-gpu',
        '--disable-dev-shm-usage',
        '--disable-background-networking',
        '--disable-component-update',
        '--disable-sync',
        '--no-first-run'
      ]
    },
    trace: 'off',
    video: 'off'
  },
  webServer: {
    command: 'npm start',
    url: `http://localhost:${port}/lab`,
    timeout: 180 * 1000,
    reuseExistingServer: !process.env.CI
  }
};
