import { expect, galata, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator, Page } from '@playwright/test';

const PANEL = '#jlab-platform-panel';
const SHOTS = 'test-results/screenshots';
// Words that stay as they are in Chinese: names, units, code, keys, example values.
const KEEP = new Set(
  [
    'origin',
    'master',
    'jlab',
    'GPU',
    'GPUs',
    'CPU',
    'CPUs',
    'TensorBoard',
    'TensorFlow',
    'Lite',
    'TFLite',
    'ONNX',
    'onnxruntime',
    'opset',
    'PyTorch',
    'torch',
    'tensorflow',
    'Keras',
    'TorchScript',
    'SavedModel',
    'ExportedProgram',
    'Select',
    'TF',
    'ops',
    'Flex',
    'Float',
    'int',
    'float',
    'Git',
    'git',
    'README',
    'JSON',
    'HTTP',
    'API',
    'URL',
    'Dockerfile',
    'Ray',
    'Python',
    'JupyterLab',
    'SSH',
    'console',
    'cpu',
    'gpu',
    'true',
    'false',
    'Enter',
    'Backspace',
    'Cohen',
    'Fleiss',
    'kappa',
    'ETA',
    'epochs',
    'lr',
    'alice',
    'main',
    'KiB',
    'MiB',
    'GiB',
    'ms',
    'py',
    'ipynb',
    'pt',
    'keras',
    'npy',
    'onnx',
    'tflite',
    'results',
    'ID',
    'UTC',
    'ray',
    'local',
    'English',
    'S',
    'B',
    'MB',
    'train',
    'predict',
    'segmentation',
    'loss'
  ].map(word => word.toLowerCase())
);

const ZH_CN = {
  ...galata.DEFAULT_SETTINGS,
  '@jupyterlab/translation-extension:plugin': { locale: 'zh_CN' }
};

/**
 * English words in what `root` shows (visible text, tooltips, labels, placeholders) that are not
 * names or code.
 */
async function untranslated(root: Locator): Promise<string[]> {
  const { text, data } = await root.evaluate((element: Element) => {
    // Not the extension's words: what a job printed, commit messages and authors (a repository
    // earlier tests left in the workspace), the names of jobs, captures, labeling tasks, aliases
    // and deployments, a job's command line, a captured cell's code, a deployment's source and why
    // it failed (its own code's error), a service's inputs (and their types), a template's own
    // description and inputs in the New-model steps (the module's text, as in the Modules panel),
    // and the overflow button JupyterLab's toolbars make without a translator.
    const selector = [
      '.jp-JobLog-text',
      '.jp-JobRow-name',
      '.jp-JobRow-script',
      '.jp-CaptureRow-name',
      '.jp-CaptureRow-where',
      '.jp-GitHistory-message',
      '.jp-GitHistory-author',
      '.jp-CrowdTask-name',
      '.jp-ModelsAlias-name',
      '.jp-DeployRow-name',
      '.jp-DeployRow-source',
      '.jp-DeployRow-reason',
      '.jp-DeployRow-url',
      '.jp-DeployForm-ioName',
      '.jp-DeployForm-ioType',
      '.jp-ModelsWizard-templateInfo',
      '.jp-ModelsWizard-fields',
      '.jp-Toolbar-responsive-opener'
    ].join(', ');
    const ours = (node: Element): boolean => node.closest(selector) === null;
    const parts: string[] = [];
    const dataParts: string[] = [];
    const walker = document.createTreeWalker(element, NodeFilter.SHOW_TEXT);
    for (let node = walker.nextNode(); node; node = walker.nextNode()) {
      const parent = node.parentElement;
      if (parent && parent.checkVisibility() && parent.tagName !== 'STYLE') {
        (ours(parent) ? parts : dataParts).push(node.textContent ?? '');
      }
    }
    for (const node of [element, ...element.querySelectorAll('*')]) {
      for (const name of ['title', 'aria-label', 'placeholder', 'alt']) {
        const value = node.getAttribute(name);
        if (value) {
          (ours(node) ? parts : dataParts).push(value);
        }
      }
    }
    // Who made a change ("changed by <name>"): without a login, jupyter_server's "Anonymous <moon>".
    const identity = window.jupyterapp?.serviceManager.user.identity; // none on the labeling page
    dataParts.push(identity?.display_name ?? '', identity?.name ?? '');
    return { text: parts.join('\n'), data: dataParts.join('\n') };
  });
  // A name is data wherever it appears, also inside a sentence of ours ("Stop <name>").
  const names = new Set((data.match(/[A-Za-z][A-Za-z']*/g) ?? []).map(word => word.toLowerCase()));
  const words: string[] = [];
  for (const chunk of text.split(/[\s，。：；（）()、“”‘’"·|,;:!?…<>=[\]{}]+/)) {
    // Paths, file names, URLs, identifiers, numbers with units: names and code, not prose.
    if (/[./_@#\\\-\d%×→]/.test(chunk)) {
      continue;
    }
    const english = (chunk.match(/[A-Za-z][A-Za-z']*/g) ?? []).filter(
      word => !KEEP.has(word.toLowerCase()) && !names.has(word.toLowerCase())
    );
    if (english.length) {
      words.push(chunk);
    }
  }
  return words;
}

/** Soft: one run lists every untranslated word of every panel and dialog. */
async function expectTranslated(root: Locator): Promise<void> {
  expect.soft(await untranslated(root)).toEqual([]);
}

async function shot(page: Page, name: string): Promise<void> {
  await page.screenshot({ path: `${SHOTS}/i18n-${name}.png` });
}

/** Run `open`, check and screenshot the dialog it shows, close it. */
async function dialog(page: IJupyterLabPageFixture, name: string, open: () => Promise<unknown>): Promise<void> {
  const opened = open();
  const box = page.locator('.jp-Dialog');
  await expect(box.locator('.jp-Dialog-content')).toBeVisible();
  await page.waitForTimeout(300); // fields filled in asynchronously (module choices, file lists)
  await expectTranslated(box.locator('.jp-Dialog-content'));
  await shot(page, name);
  await box.locator('.jp-Dialog-button.jp-mod-reject').first().click();
  await expect(box).toHaveCount(0);
  await opened;
}

function execute(page: IJupyterLabPageFixture, command: string, args: Record<string, string> = {}): Promise<void> {
  return page.evaluate(
    async ({ command, args }) => {
      await window.jupyterapp.commands.execute(command, args);
    },
    { command, args }
  );
}

/** Every panel and dialog of the extension, checked and saved as `i18n-<name><suffix>.png`. */
async function tour(page: IJupyterLabPageFixture, tmpPath: string, suffix: string): Promise<void> {
  // A metric line: the job view draws it and TensorBoard gets a run.
  const train = 'print("训练")\nprint(\'{"metric": "loss", "value": 0.5, "step": 1, "total": 1}\', flush=True)\n';
  await page.contents.uploadContent(train, 'text', `${tmpPath}/train.py`);
  await page.contents.uploadContent('', 'text', `${tmpPath}/net.pt`);
  await page.contents.uploadContent('', 'text', `${tmpPath}/cnn.keras`);

  await page.sidebar.openTab('jlab-platform-panel');
  const panel = page.locator(PANEL);
  await expect(panel.locator('.jp-PlatformPanel-row[data-key="version"]')).toBeVisible();
  // The sections have loaded (正在加载… / 正在读取仓库… / 正在询问服务器… are gone).
  await expect(panel.locator('.jp-JobsSection')).toBeVisible();
  await expect(panel).not.toContainText(/正在(加载|读取|询问)/);
  await page.waitForTimeout(500);
  await expectTranslated(panel);
  await shot(page, `platform${suffix}`);

  // Why gpu is unavailable comes from the server, in the UI's language too.
  await dialog(page, `job-dialog${suffix}`, () =>
    execute(page, 'jlab-platform:submit-job', { path: `${tmpPath}/train.py` })
  );
  await dialog(page, `git-dialog${suffix}`, () => execute(page, 'jlab-platform:git-sync'));
  await dialog(page, `onnx-dialog${suffix}`, () =>
    execute(page, 'jlab-platform:export-onnx', { path: `${tmpPath}/net.pt` })
  );
  await dialog(page, `tflite-dialog${suffix}`, () =>
    execute(page, 'jlab-platform:convert-tflite', { path: `${tmpPath}/cnn.keras` })
  );
  await dialog(page, `crowd-dialog${suffix}`, () => execute(page, 'jlab-platform:crowd-new-task'));
  await dialog(page, `deploy-dialog${suffix}`, () =>
    execute(page, 'jlab-platform:deploy', { path: `${tmpPath}/train.py` })
  );

  await page.sidebar.openTab('jlab-platform-modules');
  const modules = page.locator('#jlab-platform-modules');
  const item = modules.locator('.jp-ModulesItem[data-kind="module"][data-name="image-classifier"]');
  await expect(item).toBeVisible();
  await expectTranslated(modules.locator('.jp-ModulesPanel-header'));
  await expectTranslated(modules.locator('.jp-ModulesPanel-filters'));
  await shot(page, `modules${suffix}`);
  await item.locator('.jp-ModulesItem-open').click();
  await expect(modules.locator('.jp-ModulesDetail-readme')).toBeVisible();
  // Descriptions, README and field labels are the module's own text; the frame is the extension's.
  for (const part of await modules.locator('.jp-ModulesDetail-label, .jp-ModulesDetail-actions').all()) {
    await expectTranslated(part);
  }
  await shot(page, `modules-detail${suffix}`);

  // The model library: its sidebar and the New-model steps (their own Cancel; the footer is hidden).
  await page.sidebar.openTab('jlab-platform-models');
  const models = page.locator('#jlab-platform-models');
  await expect(models).toBeVisible();
  await page.waitForTimeout(300);
  await expectTranslated(models);
  await shot(page, `models${suffix}`);
  const opened = execute(page, 'jlab-platform:new-model');
  const wizard = page.locator('.jp-Dialog .jp-ModelsWizard');
  await expect(wizard).toBeVisible();
  await page.waitForTimeout(300); // the templates are listed asynchronously
  await expectTranslated(wizard);
  await shot(page, `models-dialog${suffix}`);
  await wizard.locator('[data-action="cancel"]').click();
  await expect(page.locator('.jp-Dialog')).toHaveCount(0);
  await opened;
}

test.describe('Simplified Chinese', () => {
  test.use({
    mockSettings: ZH_CN,
    locale: 'zh-CN', // a Chinese user's browser: dates and numbers as they expect
    // Galata waits for a tab titled 'Launcher'; in Chinese it is 启动页, so wait for the app instead.
    waitForApplication: async ({}, use) => {
      await use(async page => {
        await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
        await page.locator('.jp-Launcher, .jp-NotebookPanel').first().waitFor();
      });
    }
  });

  test('JupyterLab and every panel and dialog of the extension speak Chinese', async ({ page, tmpPath }) => {
    test.setTimeout(180000);
    await page.setViewportSize({ width: 1440, height: 900 });
    // JupyterLab's own language pack: the menu bar.
    await expect(page.locator('.lm-MenuBar-itemLabel', { hasText: '文件' })).toBeVisible();
    await tour(page, tmpPath, '');

    // With content: a repository (the sync dialog lists files) and a job that ran (its view).
    await page.sidebar.openTab('jlab-platform-panel');
    const panel = page.locator(PANEL);
    // The workspace may already be a repository (earlier tests share it).
    const init = panel.locator('.jp-GitSection [data-action="init"]');
    await expect(init.or(panel.locator('.jp-GitSection-branch')).first()).toBeVisible();
    if (await init.isVisible()) {
      await init.click();
    }
    await expect(panel.locator('.jp-GitSection-branch')).toBeVisible();
    await dialog(page, 'git-sync-files', () => execute(page, 'jlab-platform:git-sync'));
    const submitted = execute(page, 'jlab-platform:submit-job', { path: `${tmpPath}/train.py` });
    await page.locator('.jp-Dialog .jp-JobSubmit-env').selectOption('cpu');
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();
    await submitted;
    // This test's train.py (earlier tests on a shared server may have run one too): the script's
    // path is the row's tooltip.
    const row = panel
      .locator('.jp-JobRow')
      .filter({ has: page.locator(`.jp-JobRow-script[title="${tmpPath}/train.py"]`) });
    await expect(row).toHaveAttribute('data-status', 'success', { timeout: 60000 });
    await expectTranslated(panel);
    await row.locator('.jp-JobAction[data-action="log"]').click();
    const view = page.locator('.jp-JobView:visible');
    await expect(view).toContainText('训练');
    await expectTranslated(page.locator('.jp-MainAreaWidget:visible').filter({ has: view }));
    await shot(page, 'job-view');

    // The job's metrics in TensorBoard: the tab around TensorBoard's own page is the extension's.
    await page.locator('.jp-MainAreaWidget:visible .jp-Toolbar').getByText('TensorBoard').click();
    const tensorboard = page.locator('.jp-TensorBoardPanel:visible');
    await expect(tensorboard.locator('iframe')).toBeVisible({ timeout: 60000 });
    await expectTranslated(tensorboard);
    await shot(page, 'tensorboard');

    // A module's Train form: its fields are the module's own words, the frame is the extension's.
    await page.sidebar.openTab('jlab-platform-modules');
    await page.locator('#jlab-platform-modules .jp-ModulesDetail-train').click();
    const form = page.locator('#jlab-platform-modules .jp-ModulesForm');
    await expect(form).toBeVisible();
    await expectTranslated(form.locator('.jp-ModulesForm-title'));
    await expectTranslated(form.locator('.jp-ModulesForm-buttons'));
    await shot(page, 'modules-form');
  });

  test('in the dark theme and at 1024x700', async ({ page, tmpPath }) => {
    test.setTimeout(180000);
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.theme.setDarkTheme();
    await tour(page, tmpPath, '-dark-1024');
  });
});

// 16x16 grayscale PNGs, black and white, and a module in the seed's format that predicts nothing yet.
const BLACK = 'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAAAAAA6mKC9AAAADUlEQVR4nGNgGAXIAAABEAABoJMRpQAAAABJRU5ErkJggg==';
const WHITE = 'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAAAAAA6mKC9AAAAEUlEQVR4nGP8z4AKmBhGtAAAIBABH5AWUzYAAAAASUVORK5CYII=';
const SEED_MODULE = `import glob, os, pickle

def predict():
    folder = "./results/" + os.environ["JLAB_CROWD_TASK_ID"]
    with open(folder + "/create.pkl", "rb") as f:
        images = sorted(glob.glob(os.path.join(pickle.load(f)["filename"], "*.png")))
    with open(folder + "/sample.pkl", "wb") as f:
        pickle.dump({"results": [{"sample": s, "probability": [0.5, 0.5]} for s in images], "max_choose": 4}, f)

def train():
    pass
`;

test.describe('A labeling task in Chinese', () => {
  test.use({
    mockSettings: ZH_CN,
    locale: 'zh-CN', // a Chinese user's browser: dates and numbers as they expect
    waitForApplication: async ({}, use) => {
      await use(async page => {
        await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
        await page.locator('.jp-Launcher, .jp-NotebookPanel').first().waitFor();
      });
    }
  });

  test('the invite link, the task view and the labeling page', async ({ page, tmpPath, browser }) => {
    test.setTimeout(180000);
    await page.setViewportSize({ width: 1440, height: 900 });
    for (let index = 0; index < 4; index++) {
      await page.contents.uploadContent(index % 2 ? WHITE : BLACK, 'base64', `${tmpPath}/图片/${index}.png`);
    }
    await page.contents.uploadContent(SEED_MODULE, 'text', `${tmpPath}/module/main.py`);
    const config = JSON.stringify({ classes: ['黑色', '白色'], task_type: 'classification' });
    await page.contents.uploadContent(config, 'text', `${tmpPath}/module/config.json`);

    const opened = execute(page, 'jlab-platform:crowd-new-task');
    const form = page.locator('.jp-Dialog .jp-CrowdCreate');
    await form.locator('input[name="name"]').fill('形状');
    await form.locator('input[name="dataset"]').fill(`${tmpPath}/图片`);
    await form.locator('select[name="module"]').selectOption(`${tmpPath}/module`);
    await form.locator('input[name="maxChoose"]').fill('4');
    await form.locator('input[name="labelers"]').fill('小王');
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();
    const link = page.locator('.jp-Dialog .jp-CrowdLink-url');
    await expect(link).toBeVisible({ timeout: 60000 });
    const url = await link.inputValue();
    await expectTranslated(page.locator('.jp-Dialog-content'));
    await shot(page, 'crowd-invite');
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-reject').click();
    await opened;

    const view = page.locator('.jp-CrowdTaskView:visible');
    await expect(view.locator('.jp-CrowdTaskView-state')).toHaveText('标注第 1 / 3 轮', { timeout: 60000 });
    await expectTranslated(view);
    await shot(page, 'crowd-task');

    const context = await browser.newContext({ locale: 'zh-CN', viewport: { width: 1024, height: 700 } });
    const labeler = await context.newPage();
    await labeler.goto(url);
    await expect(labeler.locator('#image')).toBeVisible();
    await expect(labeler.locator('#progress-text')).toHaveText('0 / 4 · 第 1 轮 · 我的：0');
    await labeler.keyboard.press('Enter'); // no class chosen yet
    await expect(labeler.locator('#message')).toHaveText('请先选择类别（1-2）。');
    await expectTranslated(labeler.locator('body'));
    await shot(labeler, 'label-page-task');
    await context.close();
  });
});

test.describe('Labeling page', () => {
  for (const [locale, expected] of [
    ['zh-CN', '提交'],
    ['en-US', 'Submit']
  ]) {
    test(`follows the browser's language (${locale}) and switches on request`, async ({ browser, baseURL }) => {
      const context = await browser.newContext({ locale, viewport: { width: 1024, height: 700 } });
      const labeler = await context.newPage();
      await labeler.goto(`${baseURL}/jlab-platform/label`);
      await expect(labeler.locator('#submit .label')).toHaveText(expected);
      // No link: the page says what it needs, in the page's language.
      await expect(labeler.locator('#message')).not.toBeEmpty();
      if (locale === 'zh-CN') {
        await expect(labeler.locator('html')).toHaveAttribute('lang', 'zh-CN');
        await expectTranslated(labeler.locator('body'));
        await shot(labeler, 'label-page');
        await labeler.locator('#language [data-language="en"]').click();
        await expect(labeler.locator('#submit .label')).toHaveText('Submit');
        await expect(labeler.locator('#message')).toHaveText(/This page needs the link/);
        // The choice is remembered over the browser's language.
        await labeler.reload();
        await expect(labeler.locator('#submit .label')).toHaveText('Submit');
        await labeler.locator('#language [data-language="zh-CN"]').click();
        await expect(labeler.locator('#message')).toHaveText(/请使用发送给你的链接/);
      } else {
        await labeler.emulateMedia({ colorScheme: 'dark' });
        await labeler.locator('#language [data-language="zh-CN"]').click();
        await expect(labeler.locator('#submit .label')).toHaveText('提交');
        await shot(labeler, 'label-page-dark');
      }
      await context.close();
    });
  }
});
