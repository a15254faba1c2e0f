import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { statSync } from 'fs';

const SHOTS = 'test-results/screenshots';
const PANEL = '#jlab-platform-models';
const IMAGES_PER_CLASS = 10;

/**
 * Two classes of 16x16 PNGs drawn by the browser's canvas (a disc, a square, on noise), uploaded
 * as `<folder>/<class>/<i>.png`: a data path in the training layout.
 */
async function uploadImages(page: IJupyterLabPageFixture, folder: string): Promise<void> {
  const images = await page.evaluate(count => {
    const canvas = document.createElement('canvas');
    canvas.width = canvas.height = 16;
    const context = canvas.getContext('2d') as CanvasRenderingContext2D;
    let seed = 7;
    const random = (): number => (seed = (seed * 16807) % 2147483647) / 2147483647;
    const out: { name: string; data: string }[] = [];
    for (const shape of ['disc', 'square']) {
      for (let i = 0; i < count; i++) {
        for (let y = 0; y < 16; y++) {
          for (let x = 0; x < 16; x++) {
            const gray = Math.floor(random() * 90);
            context.fillStyle = `rgb(${gray},${gray},${gray})`;
            context.fillRect(x, y, 1, 1);
          }
        }
        context.fillStyle = '#f0f0f0';
        if (shape === 'disc') {
          context.beginPath();
          context.arc(8, 8, 5, 0, 2 * Math.PI);
          context.fill();
        } else {
          context.fillRect(3, 3, 10, 10);
        }
        out.push({ name: `${shape}/${i}.png`, data: canvas.toDataURL('image/png').split(',')[1] });
      }
    }
    return out;
  }, IMAGES_PER_CLASS);
  for (const image of images) {
    await page.contents.uploadContent(image.data, 'base64', `${folder}/${image.name}`);
  }
}

/** A form field of the New-model steps by its input name. */
function input(dialog: Locator, name: string): Locator {
  return dialog.locator(`.jp-ModulesForm-field[data-name="${name}"] .jp-ModulesForm-input`);
}

test.describe('Model library', () => {
  test('create a model in the dialog, train, publish, set production, batch-predict, see the report', async ({
    page,
    tmpPath
  }) => {
    const data = `${tmpPath}/shapes`;
    await uploadImages(page, data);
    const name = `shapes-${Date.now().toString(36)}`;

    await page.sidebar.openTab('jlab-platform-models');
    const panel = page.locator(PANEL);
    await panel.locator('[data-action="new-model"]').click();

    // Step 1: name, template and its model parameters.
    const dialog = page.locator('.jp-Dialog .jp-ModelsWizard');
    await dialog.locator('.jp-ModelsWizard-name').fill('1bad');
    await dialog.locator('.jp-ModelsWizard-template').selectOption('image-classifier');
    await expect(input(dialog, 'image_size')).toBeVisible();
    await dialog.locator('[data-action="next"]').click();
    await expect(dialog.locator('.jp-ModelsWizard-error')).toContainText('a letter first');
    await dialog.locator('.jp-ModelsWizard-name').fill(name);
    await input(dialog, 'image_size').fill('16');
    await page.screenshot({ path: `${SHOTS}/models-dialog-template.png` });
    await dialog.locator('[data-action="next"]').click();

    // Step 2: data paths, each checked live; an invalid one blocks the next step.
    await expect(dialog).toHaveAttribute('data-step', 'paths');
    const adder = dialog.locator('.jp-ModelsPaths-input');
    await adder.fill(`${tmpPath}/nothing-here`);
    await dialog.locator('.jp-ModelsPaths-add').click();
    await adder.fill(data);
    await dialog.locator('.jp-ModelsPaths-add').click();
    const good = dialog.locator(`.jp-ModelsPaths-row[data-path="${data}"] .jp-ModelsPaths-status`);
    await expect(good).toHaveAttribute('data-valid', 'true');
    await expect(good).toContainText(`${2 * IMAGES_PER_CLASS} images`);
    await expect(good).toContainText('disc, square');
    const bad = dialog.locator(`.jp-ModelsPaths-row[data-path="${tmpPath}/nothing-here"]`);
    await expect(bad.locator('.jp-ModelsPaths-status')).toHaveAttribute('data-valid', 'false');
    await dialog.locator('[data-action="next"]').click();
    await expect(dialog.locator('.jp-ModelsWizard-status')).toContainText('nothing-here');
    await page.screenshot({ path: `${SHOTS}/models-dialog-paths.png` });
    await bad.locator('[data-action="remove-path"]').click();
    await dialog.locator('[data-action="next"]').click();

    // Step 3: training parameters (a few iterations); step 4: preprocessing.
    await expect(dialog).toHaveAttribute('data-step', 'training');
    await input(dialog, 'max_iter').fill('6');
    await input(dialog, 'batch_size').fill('8');
    await page.screenshot({ path: `${SHOTS}/models-dialog-training.png` });
    await dialog.locator('[data-action="next"]').click();
    await expect(dialog).toHaveAttribute('data-step', 'preprocessing');
    await input(dialog, 'split').fill('0.7');
    await dialog.locator('[data-action="next"]').click();

    // The model's page opens; its first training runs as a job and completes.
    const modelPage = page.locator('.jp-ModelPage:visible');
    await expect(modelPage.locator('.jp-ModelPage-title')).toHaveText(name);
    const training = modelPage.locator('.jp-ModelTraining').first();
    await expect(training).toHaveAttribute('data-state', 'completed', { timeout: 100000 });
    await expect(panel.locator(`.jp-ModelsItem[data-name="${name}"]`)).toBeVisible();

    // Publish from the training job's view: the version is 1.01 (template image-classifier 1.x).
    await training.locator('[data-action="job"]').click();
    const publish = page.locator('.jp-JobViewPanel:visible [data-command="jlab-platform:publish-job"]');
    await expect(publish).toBeEnabled();
    await publish.click();
    await expect(modelPage.locator('.jp-ModelVersions-row[data-version="1.01"]')).toBeVisible();
    await expect(training).toHaveAttribute('data-state', 'published');
    await expect(training.locator('[data-action="publish"]')).toHaveCount(0);

    // Set production on 1.01: the aliases list and its history say so, and so does the sidebar.
    const version = modelPage.locator('.jp-ModelVersion[data-version="1.01"]');
    await version.locator('[data-action="alias"]').click();
    await page.locator('.jp-Dialog .jp-ModelsAliasForm-name').fill('production');
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();
    await expect(modelPage.locator('.jp-ModelAlias[data-alias="production"] .jp-ModelsAlias-version')).toHaveText(
      '1.01'
    );
    await expect(modelPage.locator('.jp-ModelAliases-history tbody tr')).toHaveCount(1);
    await expect(
      panel.locator(`.jp-ModelsItem[data-name="${name}"] .jp-ModelsAlias[data-alias="production"]`)
    ).toBeVisible();

    // Export the checkpoint as a download.
    const [download] = await Promise.all([
      page.waitForEvent('download'),
      version.locator('[data-action="export"]').selectOption('checkpoint')
    ]);
    expect(download.suggestedFilename()).toMatch(/\.pt$/);
    expect(statSync(await download.path()).size).toBeGreaterThan(1000);

    // Deploy a version or an alias: the deployment service's dialog gets `model:<ref>` (cancelled here).
    await expect(version.locator('[data-action="deploy"]')).toBeVisible();
    await modelPage.locator('.jp-ModelAlias[data-alias="production"] [data-action="deploy"]').click();
    await expect(page.locator('.jp-Dialog .jp-DeployForm-source code')).toHaveText(`model:${name}@production`);
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-reject').click();
    await expect(page.locator('.jp-Dialog')).toHaveCount(0);

    // Batch-predict the labeled folder: the prediction completes with an evaluation report.
    await version.locator('[data-action="predict"]').click();
    const predictDialog = page.locator('.jp-Dialog');
    await predictDialog.locator('.jp-ModelsPaths-input').fill(data);
    await expect(predictDialog.locator('.jp-ModelsPaths-status')).toHaveAttribute('data-valid', 'true');
    await predictDialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    const prediction = version.locator('.jp-ModelPrediction').first();
    await expect(prediction).toHaveAttribute('data-state', 'completed', { timeout: 100000 });
    await expect(page.locator('.jp-Notification-Toast-success')).toHaveCount(0, { timeout: 15000 });
    await page.screenshot({ path: `${SHOTS}/models-page.png` });
    await panel.screenshot({ path: `${SHOTS}/models-panel.png` });
    await modelPage.locator('.jp-ModelTrainings').scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/models-page-trainings.png` });
    await prediction.locator('[data-action="report"]').click();
    const report = page.locator('.jp-EvalReport:visible');
    await expect(report.locator('.jp-EvalReport-status')).toHaveAttribute('data-status', 'complete');
    await expect(report.locator('.jp-EvalReport-classes tbody tr')).toHaveCount(2);

    // Retrain opens the same steps prefilled: the bound path stays, the name is fixed.
    await page.evaluate(model => window.jupyterapp.commands.execute('jlab-platform:open-model', { id: model }), name);
    await version.locator('[data-action="retrain"]').click();
    await expect(dialog.locator('.jp-ModelsWizard-name')).toBeDisabled();
    await expect(input(dialog, 'image_size')).toHaveValue('16');
    await dialog.locator('[data-action="next"]').click();
    await expect(dialog.locator(`.jp-ModelsPaths-row[data-path="${data}"] [data-action="remove-path"]`)).toHaveCount(0);

    await page.theme.setDarkTheme();
    await page.screenshot({ path: `${SHOTS}/models-dialog-dark.png` });
    await page.setViewportSize({ width: 1024, height: 700 });
    await page.screenshot({ path: `${SHOTS}/models-dialog-1024.png` });

    // Start the retraining (long, so that it can be terminated), terminate it, delete it.
    await dialog.locator('[data-action="next"]').click();
    await input(dialog, 'max_iter').fill('1000000');
    await dialog.locator('[data-action="next"]').click();
    await dialog.locator('[data-action="next"]').click();
    await expect(dialog).toHaveCount(0);
    const retraining = modelPage.locator('.jp-ModelTraining').first();
    await expect(retraining.locator('.jp-ModelTraining-what')).toHaveText('retrains 1.01');
    await expect(retraining).toHaveAttribute('data-state', 'training', { timeout: 60000 });
    await retraining.scrollIntoViewIfNeeded();
    await page.screenshot({ path: `${SHOTS}/models-page-1024.png` });
    await retraining.locator('[data-action="terminate"]').click();
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-warn').click();
    await expect(retraining).toHaveAttribute('data-state', 'terminated', { timeout: 30000 });
    await expect(retraining.locator('[data-action="start"]')).toBeVisible();
    await retraining.locator('[data-action="delete"]').click();
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-warn').click();
    await expect(modelPage.locator('.jp-ModelTraining')).toHaveCount(1);
    await page.setViewportSize({ width: 1280, height: 720 });
    await page.screenshot({ path: `${SHOTS}/models-page-dark.png` });
    await page.theme.setLightTheme();
  });
});
