import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Request } from '@playwright/test';

// A zip with three small files in photos/, and one whose only entry escapes its folder.
const PHOTOS_ZIP =
  'UEsDBBQAAAAIAAR4eV3iyVhoBwAAAAUAAAAOAAAAcGhvdG9zL2NhdC50eHTLTc0v5wIAUEsDBBQAAAAIAAR4eV21hWx+BwAAAAUAAAAOAAAAcGhvdG9zL2RvZy50eHQrz89P4wIAUEsDBBQAAAAAAAAAIQDqqPkvGAAAABgAAAAQAAAAcGhvdG9zL25vdGVzLnR4dGZyb20gYSBXaW5kb3dzIHppcCB0b29sClBLAQIUAxQAAAAIAAR4eV3iyVhoBwAAAAUAAAAOAAAAAAAAAAAAAACAAQAAAABwaG90b3MvY2F0LnR4dFBLAQIUAxQAAAAIAAR4eV21hWx+BwAAAAUAAAAOAAAAAAAAAAAAAACAATMAAABwaG90b3MvZG9nLnR4dFBLAQIUAxQAAAAAAAAAIQDqqPkvGAAAABgAAAAQAAAAAAAAAAAAAACAAWYAAABwaG90b3Mvbm90ZXMudHh0UEsFBgAAAAADAAMAtgAAAKwAAAAAAA==';
const EVIL_ZIP =
  'UEsDBBQAAAAAAAR4eV2DFtyMAQAAAAEAAAAOAAAALi4vZXNjYXBlZC50eHR4UEsBAhQDFAAAAAAABHh5XYMW3IwBAAAAAQAAAA4AAAAAAAAAAAAAAIABAAAAAC4uL2VzY2FwZWQudHh0UEsFBgAAAAABAAEAPAAAAC0AAAAAAA==';

// A small Keras CNN whose hidden layer is large enough (12,544 weights) for quantization to show.
const MAKE_MODEL = `import keras
inputs = keras.Input((16, 16, 3))
x = keras.layers.Conv2D(8, 3, activation="relu")(inputs)
x = keras.layers.Flatten()(keras.layers.MaxPooling2D()(x))
x = keras.layers.Dense(32, activation="relu")(x)
keras.Model(inputs, keras.layers.Dense(4, activation="softmax")(x)).save("cnn.keras")
print("saved")`;

// The demo workspace's CNN (scripts/make_demo_workspace.py), saved as TorchScript: no input shape recorded.
const MAKE_TORCHSCRIPT = `import torch
from torch import nn
model = nn.Sequential(
    nn.Conv2d(1, 8, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Conv2d(8, 16, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),
    nn.Flatten(), nn.Linear(16 * 8 * 8, 3),
)
torch.jit.save(torch.jit.script(model.eval()), "net.pt")
print("saved")`;

function item(page: IJupyterLabPageFixture, name: string) {
  return page.locator('.jp-DirListing-item', { has: page.locator(`.jp-DirListing-itemText >> text="${name}"`) });
}

async function contextMenu(page: IJupyterLabPageFixture, name: string, command: string): Promise<void> {
  await page.filebrowser.refresh();
  await item(page, name).click({ button: 'right' });
  await page.locator('.lm-Menu-item', { hasText: command }).click();
}

test.describe('Conversion and file actions', () => {
  test('a .keras file converts to a verified .tflite with dynamic range quantization', async ({ page }) => {
    test.setTimeout(240000);
    await page.notebook.createNew('make_model.ipynb');
    await page.notebook.setCell(0, 'code', MAKE_MODEL);
    const isWarm = (request: Request) =>
      request.url().includes('/jlab-platform/api/convert/warm') && request.method() === 'POST';
    // The file browser listing a Keras file it had not shown starts the conversion worker...
    const listed = page.waitForRequest(isWarm);
    await page.notebook.runCell(0);
    expect((await page.notebook.getCellTextOutput(0))?.join('\n')).toContain('saved');
    await page.notebook.close(true);
    await page.filebrowser.refresh();
    await listed;
    let warms = 0;
    page.on('request', request => (warms += isWarm(request) ? 1 : 0));
    await page.filebrowser.refresh(); // once per file: listing it again does not keep a worker alive

    // ...and so does opening the context menu on one: the user is about to convert.
    const warmed = page.waitForRequest(isWarm);
    await contextMenu(page, 'cnn.keras', 'Convert to TensorFlow Lite…');
    await warmed;
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog.locator('.jp-ConvertForm-source')).toHaveText(/cnn\.keras$/);
    expect(warms).toBe(2); // the context menu's and the dialog's: listing the file again added none
    await dialog.locator('.jp-ConvertForm-quantize').selectOption('dynamic');
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(dialog).toHaveCount(0);

    const toast = page.locator('.jp-Notification-Toast-success', { hasText: 'Wrote cnn_dynamic.tflite' });
    await expect(toast).toBeVisible({ timeout: 180000 });
    await expect(toast).toContainText('verified: largest difference');
    await expect(item(page, 'cnn_dynamic.tflite')).toBeVisible(); // the browser shows it before Reveal
    await toast.locator('.jp-toast-button', { hasText: 'Reveal' }).click();
    await expect(item(page, 'cnn_dynamic.tflite')).toHaveClass(/jp-mod-selected/);
    await page.screenshot({ path: 'test-results/screenshots/convert.png' });

    await toast.getByRole('button', { name: 'Details' }).click();
    const report = page.locator('.jp-Dialog .jp-ConvertReport');
    await expect(report).toContainText('Dynamic range (int8 weights)');
    await expect(report).toContainText(/\d (B|KiB|MiB) → [\d.]+ (B|KiB|MiB) \(\d+% of the source, [\d.]+× smaller\)/);
    await expect(report.locator('.jp-ConvertReport-verdict')).toHaveText('✓ Passed');
    await expect(report).toContainText(/largest difference [\d.e-]+ \(allowed 0\.050\)/);
    await expect(report.locator('.jp-ConvertReport-ops code', { hasText: 'CONV_2D' })).toBeVisible();
    await expect(report).not.toContainText('{'); // no raw JSON left
    const content = page.locator('.jp-Dialog-content');
    await content.screenshot({ path: 'test-results/screenshots/convert-report.png' });
    await page.theme.setDarkTheme();
    await expect(report.locator('.jp-ConvertReport-verdict')).toBeVisible();
    await content.screenshot({ path: 'test-results/screenshots/convert-report-dark.png' });
  });

  test('a TorchScript file exports to ONNX with the input shape taken from the model', async ({ page }) => {
    test.setTimeout(240000);
    await page.notebook.createNew('make_net.ipynb');
    await page.notebook.setCell(0, 'code', MAKE_TORCHSCRIPT);
    await page.notebook.runCell(0);
    expect((await page.notebook.getCellTextOutput(0))?.join('\n')).toContain('saved');
    await page.notebook.close(true);

    await contextMenu(page, 'net.pt', 'Export to ONNX…');
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog.locator('.jp-ConvertForm-shape')).toHaveValue('');
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    const toast = page.locator('.jp-Notification-Toast-success', { hasText: 'Wrote net.onnx' });
    await expect(toast).toBeVisible({ timeout: 180000 });
    await expect(item(page, 'net.onnx')).toBeVisible();
    await toast.getByRole('button', { name: 'Details' }).click();
    const report = page.locator('.jp-Dialog .jp-ConvertReport');
    await expect(report).toContainText('1 × 1 × 32 × 32 (inferred from the first layer (Conv2d, 1 input channel)');
    await expect(report.locator('.jp-ConvertReport-verdict')).toHaveText('✓ Passed');
    await page.locator('.jp-Dialog-content').screenshot({ path: 'test-results/screenshots/export-onnx-report.png' });
  });

  test('a folder that is no SavedModel gets an error that says why', async ({ page, tmpPath }) => {
    await page.contents.createDirectory(`${tmpPath}/not_a_model`);
    await contextMenu(page, 'not_a_model', 'Convert to TensorFlow Lite…');
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();
    await expect(
      page.locator('.jp-Notification-Toast-error', { hasText: 'not_a_model is not a SavedModel folder' })
    ).toBeVisible();
  });

  test('Extract Here makes a folder named after the archive; an unsafe archive is refused', async ({
    page,
    tmpPath
  }) => {
    await page.contents.uploadContent(PHOTOS_ZIP, 'base64', `${tmpPath}/photos.zip`);
    await page.contents.uploadContent(EVIL_ZIP, 'base64', `${tmpPath}/evil.zip`);

    await contextMenu(page, 'photos.zip', 'Extract Here');
    const done = page.locator('.jp-Notification-Toast-success', { hasText: 'Extracted 3 files' });
    await expect(done).toBeVisible({ timeout: 60000 });
    // The browser shows the new folder by itself; its one top folder was not nested again.
    await expect(item(page, 'photos')).toBeVisible();
    expect(await page.contents.fileExists(`${tmpPath}/photos/cat.txt`)).toBe(true);
    await done.locator('.jp-toast-button', { hasText: 'Reveal' }).click();
    await expect(item(page, 'photos')).toHaveClass(/jp-mod-selected/);
    await page.screenshot({ path: 'test-results/screenshots/extract.png' });

    await contextMenu(page, 'evil.zip', 'Extract Here');
    await expect(
      page.locator('.jp-Notification-Toast-error', { hasText: 'Refused to extract evil.zip' })
    ).toBeVisible();
    expect(await page.contents.directoryExists(`${tmpPath}/evil`)).toBe(false);
  });
});
