import { expect, galata, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';
import * as path from 'path';

const SHOTS = 'test-results/screenshots';
const PANEL = '#jlab-platform-panel';
const NOTEBOOK = 'getting_started.ipynb';

/** The server's root folder (galata starts JupyterLab in a temporary one), read before the first start. */
async function serverRoot(page: IJupyterLabPageFixture): Promise<string> {
  const html = await (await page.request.get('lab')).text();
  const config = /<script id="jupyter-config-data" type="application\/json">([^]*?)<\/script>/.exec(html);
  return JSON.parse(config![1]).serverRoot as string;
}

/** The section of the Launcher titled "Platform". */
function platformSection(page: IJupyterLabPageFixture) {
  return page.locator('.jp-Launcher-section', {
    has: page.locator('.jp-Launcher-sectionTitle', { hasText: /^Platform$/ })
  });
}

/** The open tabs of the main area that show unsaved changes (the dot). */
function dirtyTabs(page: IJupyterLabPageFixture) {
  return page.locator('#jp-main-dock-panel .lm-TabBar-tab.jp-mod-dirty');
}

test.describe('First start', () => {
  test.use({
    autoGoto: false,
    // Galata waits for the Launcher to be the current tab; here the notebook becomes it.
    waitForApplication: async ({}, use) => {
      await use(async page => {
        await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
        await page.locator('.jp-Launcher').first().waitFor();
      });
    },
    // The demo workspace of `make run` in this test's folder: the setting points at its notebook.
    mockSettings: async ({ tmpPath }, use) => {
      await use({
        ...galata.DEFAULT_SETTINGS,
        'jlab-platform:welcome': { gettingStarted: `${tmpPath}/${NOTEBOOK}` }
      });
    }
  });

  /** The first start, in `make run`'s demo workspace made in this test's folder, at `width` x `height`. */
  async function firstStart(page: IJupyterLabPageFixture, tmpPath: string, width: number, height: number) {
    const folder = path.join(await serverRoot(page), tmpPath);
    execFileSync('python', [path.resolve('..', 'scripts', 'make_demo_workspace.py'), folder]);
    await page.setViewportSize({ width, height });
    await page.goto();
    const section = platformSection(page);
    await expect(section).toBeInViewport();
    for (const card of ['Run a job', 'Modules & Datasets', 'Crowdsourcing']) {
      await expect(section.locator('.jp-LauncherCard', { hasText: card })).toBeVisible();
    }
    const notebook = page.locator('.jp-NotebookPanel');
    await expect(notebook.locator('.jp-MarkdownOutput h1').first()).toContainText('Getting started');
    await expect(
      page.locator('#jp-main-dock-panel .lm-TabBar-tab.lm-mod-current', { hasText: NOTEBOOK })
    ).toBeVisible();
    await expect(page.locator(PANEL)).toBeVisible();
  }

  test('lands on the platform: Launcher section, getting-started notebook, Platform panel', async ({
    page,
    tmpPath
  }) => {
    test.setTimeout(180000);
    await firstStart(page, tmpPath, 1440, 900);
    // The notebook toolbar: Run as Job with its label, beside Sync.
    const toolbar = page.locator('.jp-NotebookPanel .jp-NotebookPanel-toolbar');
    await expect(toolbar).toContainText('Run as Job');
    await expect(toolbar).toContainText('Sync');
    // Opening marks nothing unsaved, also after the kernel has started and filled in its metadata.
    await page.waitForTimeout(3000);
    await expect(dirtyTabs(page)).toHaveCount(0);

    await page.screenshot({ path: `${SHOTS}/welcome-light.png` });
    await page.theme.setDarkTheme();
    await page.screenshot({ path: `${SHOTS}/welcome-dark.png` });
    await page.theme.setLightTheme();

    // Once per workspace: a reload keeps the user's layout and opens nothing again.
    await page
      .locator('#jp-main-dock-panel .lm-TabBar-tab', { hasText: NOTEBOOK })
      .locator('.lm-TabBar-tabCloseIcon')
      .click();
    await page.waitForTimeout(2000); // the layout is saved to the workspace a moment after it changes
    await page.reload();
    await expect(platformSection(page)).toBeVisible();
    await expect(page.locator('.jp-NotebookPanel')).toHaveCount(0);
  });

  test('lands on the platform at 1024x700', async ({ page, tmpPath }) => {
    await firstStart(page, tmpPath, 1024, 700);
    await page.screenshot({ path: `${SHOTS}/welcome-1024.png` });
  });

  test('the Run a job card runs the file picked in its dialog', async ({ page, tmpPath }) => {
    await page.goto();
    await page.contents.uploadContent('print("hello from the launcher")\n', 'text', `${tmpPath}/hello.py`);
    await platformSection(page).locator('.jp-LauncherCard', { hasText: 'Run a job' }).click();
    const picker = page.locator('.jp-Dialog');
    await picker.locator('.jp-DirListing-item', { hasText: tmpPath }).dblclick();
    await picker.locator('.jp-DirListing-item', { hasText: 'hello.py' }).click();
    await picker.locator('.jp-Dialog-button.jp-mod-accept').click();
    // The job dialog of Run as Job follows, for this file.
    await expect(page.locator('.jp-Dialog')).toContainText('hello.py');
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-reject').click();
  });

  test('the Crowdsourcing card opens the Platform panel at its section', async ({ page }) => {
    await page.goto();
    await page.sidebar.close('left');
    await expect(page.locator(PANEL)).toBeHidden();
    await platformSection(page).locator('.jp-LauncherCard', { hasText: 'Crowdsourcing' }).click();
    await expect(page.locator(PANEL)).toBeVisible();
    await expect(page.locator(`${PANEL} #jlab-platform-crowd-section`)).toBeInViewport();
  });
});

test.describe('Opening a notebook', () => {
  test('leaves it clean: no unsaved-changes dot', async ({ page, tmpPath }) => {
    const notebook = {
      cells: [
        { cell_type: 'markdown', metadata: {}, source: '# A saved notebook' },
        { cell_type: 'code', execution_count: 1, metadata: {}, outputs: [], source: 'x = 1' }
      ],
      metadata: {
        kernelspec: { display_name: 'Python 3 (ipykernel)', language: 'python', name: 'python3' },
        language_info: { name: 'python' }
      },
      nbformat: 4,
      nbformat_minor: 5
    };
    await page.contents.uploadContent(JSON.stringify(notebook), 'text', `${tmpPath}/saved.ipynb`);
    await page.filebrowser.open(`${tmpPath}/saved.ipynb`);
    await expect(page.locator('.jp-NotebookPanel .jp-Cell')).toHaveCount(2);
    await page.waitForTimeout(3000);
    await expect(dirtyTabs(page)).toHaveCount(0);
  });
});
