import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Page } from '@playwright/test';

const PANEL = '#jlab-platform-panel';
// 24x24 grayscale PNGs: a dark circle and a bright square.
const CIRCLE =
  'iVBORw0KGgoAAAANSUhEUgAAABgAAAAYCAAAAADFHGIkAAAAUklEQVR42mPkYsAOmBioJsECZ7kxMDAwMOzC0OGGQjEwMHKh8uGaCFiOrAHKYcIQh3Kp6EEyJXahiu1C6NjFQLzPGblQAxGumQnVAIShjHSIcwAN5glXPepXtAAAAABJRU5ErkJggg==';
const SQUARE =
  'iVBORw0KGgoAAAANSUhEUgAAABgAAAAYCAAAAADFHGIkAAAAJElEQVR42mPkYsAOmBhIlWBhYGC4gyGqQo5RoxIDIsFIvcQAAF9HAUWTzSEjAAAAAElFTkSuQmCC';
// A module in the seed's format: module-level predict() writing sample.pkl; no model yet.
const SEED_MAIN = `import glob, os, pickle

def predict():
    task_id = os.environ["JLAB_CROWD_TASK_ID"]
    with open("./results/" + task_id + "/create.pkl", "rb") as f:
        data = pickle.load(f)
    samples = sorted(glob.glob(os.path.join(data["filename"], "*.png")))
    results = [{"sample": s, "probability": [0.5, 0.5]} for s in samples]
    with open("./results/" + task_id + "/sample.pkl", "wb") as f:
        pickle.dump({"results": results, "max_choose": 100}, f)

def train():
    pass
`;
// A class name that would be markup if a page ever inserted it as HTML.
const CLASSES = ['circle', '<b>square</b>'];

async function makeDataset(page: IJupyterLabPageFixture, folder: string): Promise<void> {
  for (let index = 0; index < 6; index++) {
    await page.contents.uploadContent(index % 2 ? SQUARE : CIRCLE, 'base64', `${folder}/images/img_${index}.png`);
  }
  await page.contents.uploadContent(SEED_MAIN, 'text', `${folder}/module/main.py`);
  const config = JSON.stringify({ classes: CLASSES, task_type: 'classification' });
  await page.contents.uploadContent(config, 'text', `${folder}/module/config.json`);
}

/** Create a task through the section's dialog; returns the invite link the dialog shows. */
async function createTask(page: IJupyterLabPageFixture, folder: string): Promise<string> {
  await page.sidebar.openTab('jlab-platform-panel');
  await page.locator(`${PANEL} .jp-CrowdSection [data-action="new-task"]`).click();
  const dialog = page.locator('.jp-Dialog');
  const form = dialog.locator('.jp-CrowdCreate');
  await form.locator('input[name="name"]').fill('形状 <标注>');
  await form.locator('textarea[name="description"]').fill('Circle or square? Press 1 or 2.');
  await form.locator('input[name="dataset"]').fill(`${folder}/images`);
  // The workspace's seed-format folder is offered in the Module choice.
  await form.locator('select[name="module"]').selectOption(`${folder}/module`);
  await form.locator('input[name="maxChoose"]').fill('4');
  await form.locator('input[name="labelers"]').fill('alice');
  await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
  const link = page.locator('.jp-Dialog .jp-CrowdLink-url');
  await expect(link).toBeVisible({ timeout: 60000 });
  const url = await link.inputValue();
  await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-reject').click();
  return url;
}

async function progressOf(labeler: Page): Promise<string> {
  return (await labeler.locator('#progress-text').textContent()) ?? '';
}

/** The shown image's object URL: a new one for every sample. */
async function imageOf(labeler: Page): Promise<string> {
  return (await labeler.locator('#image').getAttribute('src')) ?? '';
}

test.describe('Crowdsourcing', () => {
  test('the owner creates a task, invites, and an invited person labels with the keyboard', async ({
    page,
    tmpPath
  }) => {
    await makeDataset(page, tmpPath);
    const link = await createTask(page, tmpPath);
    expect(link).toMatch(/\/jlab-platform\/label#[0-9a-f]+\.[A-Za-z0-9_-]{40,}$/);

    const view = page.locator('.jp-CrowdTaskView:visible');
    await expect(view.locator('.jp-CrowdTaskView-state')).toHaveText('Labeling round 1 of 3', { timeout: 60000 });
    await expect(view.locator('.jp-CrowdTaskView-head h2')).toHaveText('形状 <标注>');
    // The view updates in place: the rows it polls stay the same elements (a mark on one survives).
    const aliceRow = view.locator('.jp-CrowdLabelers tr[data-labeler="alice"]');
    await aliceRow.evaluate(row => ((row as HTMLElement).dataset.seen = 'yes'));

    // The invited person: no Jupyter login, only the link (its token never leaves the #fragment).
    const labeler = await page.context().browser()!.newPage();
    const errors: string[] = [];
    labeler.on('pageerror', error => errors.push(error.message));
    await labeler.goto(link);
    await expect(labeler.locator('#task-name')).toHaveText('形状 <标注>');
    await expect(labeler.locator('.class')).toHaveText(['1circle', '2<b>square</b>']);
    await expect(labeler.locator('#image')).toBeVisible();
    await expect(labeler.locator('#progress-text')).toContainText('0 of 4');
    // The file name would give the class away: hidden until the labeler asks for it.
    await expect(labeler.locator('#sample-name')).toBeHidden();
    await expect(labeler.locator('#image')).toHaveAttribute('alt', 'The sample to label');
    await labeler.locator('#name-toggle').click();
    await expect(labeler.locator('#sample-name')).toHaveText(/^img_\d\.png$/);
    await labeler.locator('#name-toggle').click();
    await expect(labeler.locator('#sample-name')).toBeHidden();
    const first = await imageOf(labeler);

    await labeler.keyboard.press('1');
    await expect(labeler.locator('.class[aria-pressed="true"]')).toContainText('circle');
    await labeler.keyboard.press('Enter');
    await expect(labeler.locator('#progress-text')).toContainText('1 of 4');
    await expect(labeler.locator('#image')).not.toHaveAttribute('src', first);

    await labeler.keyboard.press('2');
    await labeler.keyboard.press(' ');
    await expect(labeler.locator('#progress-text')).toContainText('2 of 4');

    await labeler.keyboard.press('Backspace'); // undo: the last sample comes back with its choice
    await expect(labeler.locator('#progress-text')).toContainText('1 of 4');
    await expect(labeler.locator('.class[aria-pressed="true"]')).toContainText('<b>square</b>');
    await expect(labeler.locator('#image')).toBeVisible();
    await labeler.screenshot({ path: 'test-results/screenshots/crowd-labeling.png' });
    await labeler.keyboard.press('Enter');
    await expect(labeler.locator('#progress-text')).toContainText('2 of 4');

    const skipped = await imageOf(labeler);
    await labeler.keyboard.press('s');
    await expect(labeler.locator('#image')).not.toHaveAttribute('src', skipped);
    await labeler.keyboard.press('Enter'); // no class chosen yet: nothing is sent
    await expect(labeler.locator('#message')).toContainText('Pick a class first');
    await labeler.keyboard.press('1');
    await labeler.keyboard.press('Enter');
    await expect(labeler.locator('#progress-text')).toContainText('3 of 4');
    expect(await progressOf(labeler)).toContain('yours: 3');
    // Nothing left for alice: the page says so, and only Undo still works.
    const empty = labeler.locator('#empty');
    await expect(empty).toBeVisible();
    await expect(empty).toContainText('No sample for you right now');
    await expect(empty).toContainText('All samples are taken');
    await expect(labeler.locator('#image')).toBeHidden();
    await expect(labeler.locator('#message')).toHaveText('');
    for (const button of await labeler.locator('.class, #skip, #submit').all()) {
      await expect(button).toBeDisabled();
    }
    await expect(labeler.locator('#undo')).toBeEnabled();
    await labeler.screenshot({ path: 'test-results/screenshots/crowd-no-sample.png' });
    await labeler.emulateMedia({ colorScheme: 'dark' });
    await labeler.screenshot({ path: 'test-results/screenshots/crowd-no-sample-dark.png' });
    expect(errors).toEqual([]);

    // The owner sees the progress per class and per labeler.
    await view.locator('.lm-TabBar-tab', { hasText: 'Progress' }).click();
    const round = view.locator('.jp-CrowdRound[data-round="1"]');
    await expect(round).toContainText('3 of 4 labels', { timeout: 10000 });
    await expect(round.locator('.jp-CrowdCounts').nth(1)).toContainText('alice: 3');
    await expect(round.locator('.jp-CrowdCounts').first()).toContainText('<b>square</b>: 1');

    // The sample alice skipped is the one left: it waits for someone else.
    await page.locator(`${PANEL} .jp-CrowdSection [data-action="refresh"]`).click();
    const row = page.locator(`${PANEL} .jp-CrowdTask`, { hasText: '形状 <标注>' });
    await expect(row).toHaveAttribute('data-state', 'labeling');
    await expect(row.locator('.jp-CrowdTask-progress')).toHaveText('3 of 4');
    await expect(row.locator('.jp-CrowdMark-in_progress')).toHaveCount(1);
    await view.locator('.lm-TabBar-tab', { hasText: 'Status' }).click();
    await expect(aliceRow).toContainText('3');
    await expect(aliceRow).toHaveAttribute('data-seen', 'yes');
    const dataset = page.locator(`${PANEL} .jp-CrowdDataset[data-dataset="${tmpPath}/images"]`);
    await expect(dataset.locator('.jp-CrowdDataset-counts')).toHaveText('1 in progress3 samples labeled');
    await page.screenshot({ path: 'test-results/screenshots/crowd-owner.png' });

    // The owner labels the sample alice skipped from the task view, and the round completes.
    await view.locator('[data-action="label-remaining"]').click();
    const dialog = page.locator('.jp-Dialog');
    const sample = dialog.locator('.jp-CrowdRemaining-sample');
    await expect(sample).toHaveCount(1);
    await expect(sample).toContainText('skipped by 1 labeler(s)');
    await expect(sample.locator('.jp-CrowdRemaining-name')).toBeHidden();
    const width = (): Promise<number> =>
      sample.locator('img').evaluate(image => (image as HTMLImageElement).naturalWidth);
    await expect.poll(width).toBe(24);
    await page.screenshot({ path: 'test-results/screenshots/crowd-remaining.png' });
    await sample.locator('button[data-label="circle"]').click();
    await expect(sample).toContainText('Labeled “circle”');
    await expect(dialog.locator('.jp-CrowdRemaining-summary')).toHaveText(
      'Round 1 is complete: every sample has its labels.'
    );
    await page.theme.setDarkTheme();
    await page.screenshot({ path: 'test-results/screenshots/crowd-remaining-dark.png' });
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(view.locator('.jp-CrowdTaskView-state')).toHaveText('Round 1 complete');
    await expect(view.locator('[data-action="label-remaining"]')).toBeDisabled();
    await expect(view.locator('.jp-CrowdLabelers tr[data-labeler="owner"]')).toContainText('1');
    await page.screenshot({ path: 'test-results/screenshots/crowd-owner-dark.png' });

    // alice's page said the round was complete; when the next round's sample shows, that is gone.
    await expect(empty).toContainText('wait for the next round', { timeout: 10000 });
    await view.locator('[data-action="next-round"]').click();
    await expect(labeler.locator('#image')).toBeVisible({ timeout: 60000 });
    await expect(labeler.locator('#progress-text')).toContainText('round 2');
    await expect(empty).toBeHidden();
    await expect(labeler.locator('#message')).toHaveText('');
    await expect(labeler.locator('.class').first()).toBeEnabled();
    await labeler.close();
  });

  test('the new-task dialog offers the modules and shows the server’s error at its field', async ({
    page,
    tmpPath
  }) => {
    await page.setViewportSize({ width: 1024, height: 700 });
    await makeDataset(page, tmpPath);
    await page.sidebar.openTab('jlab-platform-panel');
    await page.locator(`${PANEL} .jp-CrowdSection [data-action="new-task"]`).click();
    const dialog = page.locator('.jp-Dialog');
    const form = dialog.locator('.jp-CrowdCreate');
    const dataset = form.locator('input[name="dataset"]');
    await expect(dataset).toHaveAttribute('placeholder', 'e.g. data/flowers');
    await expect(dataset).toHaveValue('');
    const module = form.locator('select[name="module"]');
    await expect(module.locator('optgroup[label="Modules library"] option')).toContainText(['image-classifier']);
    await expect(module.locator('optgroup[label="Workspace folders (seed format)"] option')).toContainText([
      `${tmpPath}/module`
    ]);
    await module.selectOption(`${tmpPath}/module`);
    await expect(form.locator('input[name="classes"]')).toHaveAttribute(
      'placeholder',
      'empty: the module’s (circle, <b>square</b>)'
    );
    await form.locator('input[name="name"]').fill('Missing dataset');
    await dataset.fill(`${tmpPath}/no-such-folder`);
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();

    // The dialog comes back with the server's answer under the dataset field, in view, focused.
    const problem = form.locator('.jp-CrowdCreate-fieldProblem');
    await expect(problem).toHaveText(/^Path '.*no-such-folder' does not exist: Check the spelling/);
    await expect(problem).not.toContainText('ApiError');
    await expect(problem).toBeInViewport();
    await expect(dataset).toHaveAttribute('aria-invalid', 'true');
    await expect(dataset).toBeFocused();
    await expect(module).toHaveValue(`${tmpPath}/module`); // the draft is kept
    await page.screenshot({ path: 'test-results/screenshots/crowd-create-error.png' });

    // "Another folder…" takes a typed path; its error shows at that input.
    await module.selectOption({ label: 'Another folder…' });
    await form.locator('input[name="moduleFolder"]').fill(`${tmpPath}/nothing-here`);
    await dataset.fill(`${tmpPath}/images`);
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(form.locator('.jp-CrowdCreate-fieldProblem')).toContainText('does not exist');
    await expect(form.locator('input[name="moduleFolder"]')).toHaveAttribute('aria-invalid', 'true');
    await expect(form.locator('input[name="moduleFolder"]')).toBeInViewport();
    await page.theme.setDarkTheme();
    await page.screenshot({ path: 'test-results/screenshots/crowd-create-error-dark.png' });
    await dialog.locator('.jp-Dialog-button.jp-mod-reject').click();
  });

  test('finishing asks for confirmation and a revoked link stops working', async ({ page, tmpPath }) => {
    await makeDataset(page, tmpPath);
    const link = await createTask(page, tmpPath);
    const view = page.locator('.jp-CrowdTaskView:visible');
    await expect(view.locator('.jp-CrowdTaskView-state')).toHaveText('Labeling round 1 of 3', { timeout: 60000 });

    await view.locator('[data-action="revoke"]').click();
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();
    await expect(view.locator('.jp-CrowdLabelers tr[data-labeler="alice"]')).toContainText('revoked');
    const labeler = await page.context().browser()!.newPage();
    await labeler.goto(link);
    await expect(labeler.locator('#message')).toContainText('revoked');
    await labeler.close();

    await view.locator('[data-action="finish"]').click();
    const confirm = page.locator('.jp-Dialog');
    await expect(confirm).toContainText('can never be reopened');
    await confirm.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(view.locator('.jp-CrowdTaskView-state')).toHaveText('Finished (samples left unlabeled)');
    await expect(view.locator('[data-action="reopen"]')).toBeDisabled();
    await page.sidebar.openTab('jlab-platform-panel');
    await page.locator(`${PANEL} .jp-CrowdSection [data-action="refresh"]`).click();
    const dataset = page.locator(`${PANEL} .jp-CrowdDataset[data-dataset="${tmpPath}/images"]`);
    await expect(dataset.locator('.jp-CrowdMark-finished')).toHaveCount(1);
  });

  test('the owner labels in a notebook widget; its keys never reach the notebook', async ({ page, tmpPath }) => {
    await makeDataset(page, tmpPath);
    await page.notebook.createNew('crowd-widget.ipynb');
    await page.notebook.setCell(
      0,
      'code',
      [
        'from jlab_platform.kernel import crowd',
        `task = crowd.create_task("widget", "${tmpPath}/images", "${tmpPath}/module", max_choose=4)`,
        'crowd.wait(task, timeout=120)',
        'crowd.label(task)'
      ].join('\n')
    );
    await page.notebook.runCell(0);
    const widget = page.locator('.jlab-platform-labeling');
    await expect(widget.locator('img')).toBeVisible();
    await expect(widget.locator('button.jupyter-widgets', { hasText: '2 <b>square</b>' })).toBeVisible();

    const keys = widget.locator('input[type="text"]');
    await keys.click();
    const cells = await page.notebook.getCellCount();
    await page.keyboard.press('1');
    await page.keyboard.press('Enter');
    await expect(widget).toContainText('1 of 4');
    await page.keyboard.press('2');
    await page.keyboard.press(' ');
    await expect(widget).toContainText('2 of 4');
    await page.keyboard.press('Backspace');
    await expect(widget).toContainText('1 of 4');
    await page.keyboard.press('s');
    // Digits, Enter, Backspace and S changed no cell, entered no editor and added nothing.
    expect(await page.notebook.getCellCount()).toBe(cells);
    expect(await page.notebook.getCellType(0)).toBe('code');
    await expect(page.locator('.jp-Notebook.jp-mod-editMode')).toHaveCount(0);
    await expect(keys).toBeFocused();
    await page.screenshot({ path: 'test-results/screenshots/crowd-widget.png' });
  });
});
