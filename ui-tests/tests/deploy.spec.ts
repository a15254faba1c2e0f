import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import { execFileSync } from 'child_process';
import { existsSync } from 'fs';
import { join } from 'path';

const SHOTS = 'test-results/screenshots';
const API = '/jlab-platform/api/deployments';
const SECTION = '#jlab-platform-panel .jp-DeploySection';
const NAME = 'colors';

// A service as an exported notebook is: a predict() function, its inputs in the .deploy.yml beside it.
const SCRIPT = [
  'CLASSES = ["red", "green", "blue"]',
  '',
  '',
  'def predict(image, note=""):',
  '    r, g, b = image.convert("RGB").resize((1, 1)).getpixel((0, 0))',
  '    total = (r + g + b) or 1',
  '    probability = [r / total, g / total, b / total]',
  '    return {"label": CLASSES[probability.index(max(probability))], "probability": probability, "classes": CLASSES}',
  ''
].join('\n');
const CONFIG = [
  'notebook: colors.ipynb',
  'inputs:',
  '  image: {type: image, help: A photo}',
  '  note: {type: str, help: Written by module insertion; not needed by the service}',
  'outputs:',
  '  label: {type: str, help: The main colour}',
  ''
].join('\n');
// 24x24 PNGs of one colour.
const RED_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAABgAAAAYCAIAAABvFaqvAAAAIklEQVR4nGO8IyfHQA3ARBVTRg0aNWjUoFGDRg0aNYgiAAAmXgFI/zsBxgAAAABJRU5ErkJggg==';
const BLUE_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAABgAAAAYCAIAAABvFaqvAAAAIklEQVR4nGOU07jDQA3ARBVTRg0aNWjUoFGDRg0aNYgiAABpPgFScPu3AwAAAABJRU5ErkJggg==';

/** Two classes of 16x16 images (dark, light) and a short training of the shipped image classifier. */
const TRAIN = [
  'import numpy as np',
  'from pathlib import Path',
  'from PIL import Image',
  'from jlab_platform.kernel import modules',
  'rng = np.random.default_rng(0)',
  'for name, level in (("dark", 30), ("light", 220)):',
  '    Path("data", name).mkdir(parents=True, exist_ok=True)',
  '    for i in range(8):',
  '        pixels = np.clip(level + rng.normal(0, 20, (16, 16, 3)), 0, 255).astype(np.uint8)',
  '        Image.fromarray(pixels).save(f"data/{name}/{i}.png")',
  'modules.train("image-classifier", data_dir="data", image_size=16, max_iter=20, batch_size=8, split=0.75)',
  ''
].join('\n');
// A 16x16 white PNG: the "light" class.
const LIGHT_PNG =
  'iVBORw0KGgoAAAANSUhEUgAAABAAAAAQCAIAAACQkWg2AAAAGUlEQVR4nGP88OEDAymAiSTVoxpGNQwpDQDL6ALwILfzLgAAAABJRU5ErkJggg==';
const MODULE_NAME = 'image-classifier';

async function serverRoot(page: IJupyterLabPageFixture): Promise<string> {
  return page.evaluate(
    () => JSON.parse(document.getElementById('jupyter-config-data')!.textContent!).serverRoot as string
  );
}

function git(cwd: string, ...args: string[]): string {
  const identity = ['-c', 'user.name=Tester', '-c', 'user.email=tester@example.com'];
  return execFileSync('git', [...identity, ...args], { cwd, encoding: 'utf-8' });
}

/** The workspace as a repository with everything committed: what the test then writes is "uncommitted". */
function committedWorkspace(root: string): void {
  if (!existsSync(join(root, '.git'))) {
    git(root, 'init', '-q', '--initial-branch=main');
  }
  git(root, 'add', '-A');
  git(root, 'commit', '-q', '--allow-empty', '-m', 'before the deploy test');
}

async function openDeployDialog(page: IJupyterLabPageFixture, file: string): Promise<void> {
  await page.locator('.jp-DirListing-item', { hasText: file }).click({ button: 'right' });
  await page.locator('.lm-Menu-item', { hasText: 'Deploy…' }).click();
  await expect(page.locator('.jp-Dialog .jp-DeployForm')).toBeVisible({ timeout: 30000 });
}

test.describe('Deploy', () => {
  test.afterEach(async ({ page }) => {
    await page.request.delete(`${API}/${NAME}`);
    await page.request.delete(`${API}/${MODULE_NAME}`);
  });

  test("a notebook's Deploy exports it to .py first; a service that cannot load says why", async ({
    page,
    tmpPath
  }) => {
    await page.request.delete(`${API}/broken`);
    const card = page.locator(
      '.jp-LauncherCard[title="Pick a .py file, a notebook or a run folder and deploy it as an HTTP service"]'
    );
    await expect(card).toHaveText('Deploy');
    await page.notebook.createNew('shapes.ipynb');
    await page.notebook.setCell(0, 'code', 'def predict(image):\n    return {"size": list(image.size)}');
    await page.notebook.save();
    await page.locator('.jp-NotebookPanel-toolbar [data-jp-item-name="deploy"]').click();
    const form = page.locator('.jp-Dialog .jp-DeployForm');
    await expect(form.locator('.jp-DeployForm-source code')).toHaveText(`${tmpPath}/shapes.py`, { timeout: 30000 });
    expect(await page.contents.fileExists(`${tmpPath}/shapes.py`)).toBe(true);
    await expect(form.locator('.jp-DeployForm-name')).toHaveValue('shapes');
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-reject').click();

    await page.contents.uploadContent('raise RuntimeError("no weights here")\n', 'text', `${tmpPath}/broken.py`);
    const created = await page.request.post(API, { data: { source: `${tmpPath}/broken.py`, name: 'broken' } });
    expect(created.status()).toBe(201);
    await page.evaluate(async () => {
      await window.jupyterapp.commands.execute('jlab-platform:deploy-try', { name: 'broken' });
    });
    const tab = page.locator('.jp-DeployTry:visible');
    await expect(tab).toHaveAttribute('data-status', 'failed', { timeout: 60000 });
    await expect(tab.locator('.jp-DeployTry-notice')).toContainText('no weights here');
    await expect(tab.locator('.jp-DeployTry-send')).toBeDisabled();
    await page.sidebar.openTab('jlab-platform-panel');
    const row = page.locator(`${SECTION} .jp-DeployRow[data-name="broken"]`);
    await expect(row.locator('.jp-DeployRow-reason')).toContainText('no weights here');
    await expect(row.locator('[data-action="start"]')).toBeVisible();
    await page.locator(SECTION).screenshot({ path: `${SHOTS}/deploy-section-failed.png` });
    await page.request.delete(`${API}/broken`);
  });

  test("a module's trained run deploys from Modules & Datasets; its top class shows as a bar", async ({
    page,
    tmpPath
  }) => {
    await page.request.delete(`${API}/${MODULE_NAME}`);
    await page.contents.uploadContent(TRAIN, 'text', `${tmpPath}/train.py`);
    const submitted = await page.request.post('/jlab-platform/api/jobs', {
      data: { script: `${tmpPath}/train.py`, env: 'cpu' }
    });
    expect(submitted.status()).toBe(201);
    const job = ((await submitted.json()) as { id: string }).id;
    await expect
      .poll(
        async () =>
          ((await (await page.request.get(`/jlab-platform/api/jobs/${job}`)).json()) as { status: string }).status,
        {
          timeout: 90000
        }
      )
      .toBe('success');

    await page.sidebar.openTab('jlab-platform-modules');
    const panel = page.locator('#jlab-platform-modules');
    await panel.locator(`.jp-ModulesItem[data-kind="module"][data-name="${MODULE_NAME}"] .jp-ModulesItem-open`).click();
    await panel.locator('.jp-ModulesDetail-deploy').click();
    // Runs of earlier tests on a reused server: the newest (this one) is offered first.
    const runChoice = page.locator('.jp-Dialog .jp-InputDialog select, .jp-Dialog .jp-DeployForm').first();
    await expect(runChoice).toBeVisible({ timeout: 30000 });
    if (await page.locator('.jp-Dialog .jp-InputDialog select').count()) {
      await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();
    }
    const form = page.locator('.jp-Dialog .jp-DeployForm');
    await expect(form.locator('.jp-DeployForm-kind')).toHaveText('module run');
    await form.locator('.jp-DeployForm-name').fill(MODULE_NAME);
    await expect(form.locator('.jp-DeployForm-io[data-kind="inputs"] .jp-DeployForm-ioName')).toHaveText(['image']);
    // Earlier tests may have left the shared workspace a repository with changes: deploy them as they are.
    const asIs = form.locator('input[name="jp-deploy-git"][value="uncommitted"]');
    if (await asIs.count()) {
      await asIs.check();
    }
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();
    await expect(page.locator('.jp-Dialog .jp-DeployKey')).toBeVisible({ timeout: 60000 });
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();

    const tab = page.locator('.jp-DeployTry:visible');
    await expect(tab).toHaveAttribute('data-status', 'ready', { timeout: 90000 });
    await tab.locator('.jp-DeployTry-file').setInputFiles({
      name: 'light.png',
      mimeType: 'image/png',
      buffer: Buffer.from(LIGHT_PNG, 'base64')
    });
    await tab.locator('.jp-DeployTry-send').click();
    const bars = tab.locator('.jp-DeployTry-bar');
    await expect(bars.first()).toHaveAttribute('data-label', 'light', { timeout: 30000 });
    await expect(bars).toHaveCount(2);
    await page.screenshot({ path: `${SHOTS}/deploy-try-module.png` });
  });

  test('deploy a .py from its context menu, bound to a synced commit; try an image and see its top class', async ({
    page,
    tmpPath
  }) => {
    await page.request.delete(`${API}/${NAME}`); // left by an earlier run on a reused server
    committedWorkspace(await serverRoot(page));
    await page.contents.uploadContent(SCRIPT, 'text', `${tmpPath}/colors.py`);
    await page.contents.uploadContent(CONFIG, 'text', `${tmpPath}/colors.deploy.yml`);
    await page.filebrowser.openDirectory(tmpPath);

    // The dialog: name suggested from the file, the .deploy.yml's inputs to trim, the uncommitted choice.
    await openDeployDialog(page, 'colors.py');
    const dialog = page.locator('.jp-Dialog');
    const form = dialog.locator('.jp-DeployForm');
    await expect(form.locator('.jp-DeployForm-name')).toHaveValue(NAME);
    await expect(form.locator('.jp-DeployForm-config')).toContainText('colors.deploy.yml');
    const inputs = form.locator('.jp-DeployForm-io[data-kind="inputs"]');
    await expect(inputs.locator('.jp-DeployForm-ioName')).toHaveText(['image', 'note']);
    await expect(form.locator('.jp-DeployForm-git')).toHaveAttribute('data-state', 'uncommitted');
    // A name the server would refuse says why before anything is sent.
    await form.locator('.jp-DeployForm-name').fill('2 colors');
    await expect(form.locator('.jp-DeployForm-problem')).toHaveText('Start the name with a letter.');
    await form.locator('.jp-DeployForm-name').fill(NAME);
    await expect(form.locator('.jp-DeployForm-problem')).toHaveText('');
    await form.locator('.jp-DeployForm-description').fill('Tells the main colour of a photo');
    await inputs.locator('.jp-DeployForm-ioItem', { hasText: 'note' }).locator('input').uncheck();
    await dialog.screenshot({ path: `${SHOTS}/deploy-dialog.png` });

    // "Sync first" (the default): the Git sync asks for its message, then the new commit is deployed.
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    const syncMessage = page.locator('.jp-Dialog .jp-GitSync-message');
    await expect(syncMessage).toBeVisible({ timeout: 30000 });
    await syncMessage.fill('Deploy the colour service');
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();

    // The key, shown once.
    const key = page.locator('.jp-Dialog .jp-DeployKey');
    await expect(key).toBeVisible({ timeout: 60000 });
    await expect(key.locator('.jp-DeployKey-key')).toHaveValue(/^\S{20,}$/);
    const apiKey = await key.locator('.jp-DeployKey-key').inputValue();
    await expect(key.locator('.jp-DeployKey-warning')).toContainText('shown only now');
    await key.locator('.jp-DeployKey-copy').click();
    await expect(key.locator('.jp-DeployKey-copy')).toHaveText('Copied');
    await page.locator('.jp-Dialog').screenshot({ path: `${SHOTS}/deploy-key.png` });
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();

    // The Try-it tab opened by itself; the form unlocks once the model is loaded.
    const tab = page.locator('.jp-DeployTry:visible');
    await expect(tab).toHaveAttribute('data-status', 'ready', { timeout: 60000 });
    await expect(tab.locator('.jp-DeployTry-field')).toHaveCount(1); // "note" was trimmed
    await tab.locator('.jp-DeployTry-file').setInputFiles({
      name: 'red.png',
      mimeType: 'image/png',
      buffer: Buffer.from(RED_PNG, 'base64')
    });
    await expect(tab.locator('.jp-DeployTry-preview')).toBeVisible();
    await tab.locator('.jp-DeployTry-send').click();
    const bars = tab.locator('.jp-DeployTry-bar');
    await expect(bars.first()).toHaveAttribute('data-label', 'red', { timeout: 30000 });
    await expect(bars).toHaveCount(3);
    await expect(tab.locator('.jp-DeployTry-latency')).toHaveText(/^\d+ ms$/);
    // The snippets call the service's own URL with the key from the environment, never the key itself.
    const deployment = (await (await page.request.get(`${API}/${NAME}`)).json()) as { url: string; commit: string };
    await expect(tab.locator('[data-snippet="curl"] pre')).toContainText(deployment.url.replace(/\/$/, ''));
    await expect(tab.locator('[data-snippet="curl"] pre')).toContainText('Bearer $JLAB_DEPLOY_KEY');
    await expect(tab.locator('[data-snippet="python"] pre')).toContainText('os.environ["JLAB_DEPLOY_KEY"]');
    await page.screenshot({ path: `${SHOTS}/deploy-try.png` });

    // Another image, another answer.
    await tab.locator('.jp-DeployTry-file').setInputFiles({
      name: 'blue.png',
      mimeType: 'image/png',
      buffer: Buffer.from(BLUE_PNG, 'base64')
    });
    await tab.locator('.jp-DeployTry-send').click();
    await expect(bars.first()).toHaveAttribute('data-label', 'blue', { timeout: 30000 });

    // The section: ready, bound to the synced commit (not "uncommitted").
    await page.sidebar.openTab('jlab-platform-panel');
    const row = page.locator(`${SECTION} .jp-DeployRow[data-name="${NAME}"]`);
    await expect(row).toHaveAttribute('data-status', 'ready', { timeout: 15000 });
    expect(deployment.commit).toMatch(/^[0-9a-f]{40}$/);
    await expect(row.locator('.jp-DeployRow-commit')).toHaveText(deployment.commit.slice(0, 8));
    await expect(row.locator('.jp-DeployRow-source')).toHaveText('colors.py');
    await expect(row.locator('.jp-DeployRow-source')).toHaveAttribute(
      'title',
      `${tmpPath}/colors.py\nTells the main colour of a photo`
    );
    const section = page.locator(SECTION);
    await section.screenshot({ path: `${SHOTS}/deploy-section.png` });

    // Its log is there.
    await row.locator('[data-action="log"]').click();
    await expect(page.locator('.jp-DeployLog:visible .jp-DeployLog-text')).toContainText('ready', { timeout: 15000 });

    // Stop, then start again from the section.
    await row.locator('[data-action="stop"]').click();
    await expect(row).toHaveAttribute('data-status', 'stopped', { timeout: 30000 });
    await expect(row.locator('[data-action="start"]')).toBeVisible();
    await row.locator('[data-action="start"]').click();
    await expect(row).toHaveAttribute('data-status', 'ready', { timeout: 60000 });

    // History per name: deploying the name again makes a second version (the dialog says so; no new key)...
    const first = (await row.getAttribute('data-id'))!;
    await page.sidebar.openTab('filebrowser');
    await openDeployDialog(page, 'colors.py');
    await expect(form.locator('.jp-DeployForm-note')).toContainText('colors is deployed already');
    await expect(form.locator('.jp-DeployForm-git')).toHaveAttribute('data-state', 'committed');
    // It starts from the current version's settings: "note" stays trimmed.
    await expect(form.locator('.jp-DeployForm-description')).toHaveValue('Tells the main colour of a photo');
    await expect(inputs.locator('.jp-DeployForm-ioItem', { hasText: 'note' }).locator('input')).not.toBeChecked();
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(page.locator('.jp-Notification-Toast-info', { hasText: 'A new version of colors' })).toBeVisible();
    await page.sidebar.openTab('jlab-platform-panel');
    await expect(row).not.toHaveAttribute('data-id', first, { timeout: 15000 });
    const second = (await row.getAttribute('data-id'))!;
    await expect(row).toHaveAttribute('data-status', 'ready', { timeout: 60000 });
    // ... and Roll back returns to the first.
    await row.locator('[data-action="rollback"]').click();
    const history = page.locator('.jp-Dialog .jp-DeployHistory');
    await expect(history.locator(`.jp-DeployHistory-item[data-id="${first}"] input`)).toBeChecked();
    await expect(history.locator(`.jp-DeployHistory-item[data-id="${second}"] input`)).toBeDisabled();
    await page.locator('.jp-Dialog').screenshot({ path: `${SHOTS}/deploy-rollback.png` });
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();
    await expect(row).not.toHaveAttribute('data-id', second, { timeout: 15000 });
    await expect(row).toHaveAttribute('data-status', 'ready', { timeout: 60000 });
    const current = (await (await page.request.get(`${API}/${NAME}`)).json()) as { rolled_back_from: string };
    expect(current.rolled_back_from).toBe(first);

    // The key shown once opens the service's own URL, as callers outside JupyterLab use it; a new key too.
    const direct = async (bearer: string): Promise<number> =>
      (
        await page.request.post(`${deployment.url.replace(/\/$/, '')}/predict`, {
          headers: { Authorization: `Bearer ${bearer}` },
          data: { image: RED_PNG }
        })
      ).status();
    expect(await direct(apiKey)).toBe(200);
    const keysDialog = page.locator('.jp-Dialog .jp-DeployKeys');
    await row.locator('[data-action="keys"]').click();
    await expect(keysDialog.locator('.jp-DeployKeys-key')).toHaveCount(1);
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click(); // New key
    const newKey = page.locator('.jp-Dialog .jp-DeployKey-key');
    await expect(newKey).toHaveValue(/^\S{20,}$/);
    const newKeyValue = await newKey.inputValue();
    expect(newKeyValue).not.toBe(apiKey);
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();
    expect(await direct(newKeyValue)).toBe(200);
    // Revoke the first key: refused at once, the new one still works.
    await row.locator('[data-action="keys"]').click();
    const keyRows = keysDialog.locator('.jp-DeployKeys-key');
    await expect(keyRows).toHaveCount(2);
    const oldest = keyRows.filter({ hasText: apiKey.slice(0, 6) });
    await oldest.locator('.jp-DeployKeys-revoke').click();
    await expect(oldest.locator('.jp-DeployKeys-revoke')).toHaveText('Revoke now');
    await page.locator('.jp-Dialog').screenshot({ path: `${SHOTS}/deploy-keys.png` });
    await oldest.locator('.jp-DeployKeys-revoke').click();
    await expect(keyRows).toHaveCount(1);
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-reject').click();
    await expect.poll(() => direct(apiKey), { timeout: 5000 }).toBe(403);
    expect(await direct(newKeyValue)).toBe(200);
    expect(await direct('not-a-key')).toBe(403);

    await page.theme.setDarkTheme();
    await page.locator('.lm-DockPanel-tabBar .lm-TabBar-tab', { hasText: `Try ${NAME}` }).click();
    await page.screenshot({ path: `${SHOTS}/deploy-try-dark.png` });
    await section.screenshot({ path: `${SHOTS}/deploy-section-dark.png` });
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.screenshot({ path: `${SHOTS}/deploy-try-1024.png` });
    await section.screenshot({ path: `${SHOTS}/deploy-section-dark-1024.png` });
    await page.sidebar.openTab('filebrowser');
    await openDeployDialog(page, 'colors.py');
    await page.locator('.jp-Dialog').screenshot({ path: `${SHOTS}/deploy-dialog-dark-1024.png` });
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-reject').click();
  });
});
