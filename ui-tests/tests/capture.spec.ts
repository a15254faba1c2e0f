import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';

const PANEL = '#jlab-platform-panel';
const LINES = 20;
// One line per statement: the editor would indent a typed loop body again.
const BODY = `import time\nfor i in range(${LINES}): print(f'line {i}', flush=True); time.sleep(0.3)`;

const NOTEBOOK = {
  cells: [{ id: 'train', cell_type: 'code', source: '', metadata: {}, outputs: [], execution_count: null }],
  metadata: { kernelspec: { name: 'python3', display_name: 'Python 3', language: 'python' } },
  nbformat: 4,
  nbformat_minor: 5
};

/** Open a notebook as a user does (its kernel session is for this very path). */
async function openNotebook(page: IJupyterLabPageFixture, path: string): Promise<void> {
  await page.evaluate(async path => {
    await window.jupyterapp.commands.execute('docmanager:open', { path });
  }, path);
  await expect(page.locator('.jp-NotebookPanel:visible .jp-Cell').first()).toBeVisible();
}

test.describe('Capture and restore output', () => {
  test('a capturing cell keeps running while the page is closed; on reopening, Restore shows all of its output', async ({
    page,
    tmpPath
  }) => {
    const path = `${tmpPath}/capture.ipynb`;
    await page.contents.uploadContent(JSON.stringify(NOTEBOOK), 'text', path);
    await openNotebook(page, path);
    await page.notebook.setCell(0, 'code', BODY);
    await page.notebook.selectCells(0);

    // Capture Output from the cell's context menu; the suggested name comes from notebook and cell.
    await (await page.notebook.getCellLocator(0))!.click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Capture Output' }).click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog.locator('input')).toHaveValue('capture-cell1');
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();

    // A %load_ext cell was put on top; the cell now starts with the magic.
    expect(await page.notebook.getCellTextInput(0)).toBe('%load_ext jlab_platform.kernel');
    expect(await page.notebook.getCellTextInput(1)).toBe(`%%capture_output capture-cell1\n${BODY}`);

    await page.notebook.selectCells(1);
    await page.evaluate(() => {
      void window.jupyterapp.commands.execute('notebook:run-cell');
    });
    const output = (await page.notebook.getCellOutputLocator(1))!;
    await expect(output).toContainText('line 2', { timeout: 30000 });
    await page.notebook.save();

    // Close the page mid-run and open it again: the live output of the cell is gone from the page.
    page.on('dialog', dialog => void dialog.accept()); // "leave the page?" (outputs keep coming)
    // Readiness is not the Launcher here: the notebook comes back as the open tab.
    await page.reload({ waitForIsReady: false });
    await page.locator('#jupyterlab-splash').waitFor({ state: 'detached' });
    await openNotebook(page, path);

    const toast = page.locator('.jp-Notification-Toast-info', { hasText: 'capture-cell1' });
    await expect(toast).toBeVisible({ timeout: 20000 });
    await toast.locator('.jp-toast-button', { hasText: 'Restore' }).click();

    // The restore cell waits for the capturing cell to end, then shows every line it printed.
    expect(await page.notebook.getCellTextInput(2)).toBe('%restore_output capture-cell1');
    const restored = (await page.notebook.getCellOutputLocator(2))!;
    await expect(restored).toContainText(`line ${LINES - 1}`, { timeout: 60000 });
    const text = (await page.notebook.getCellTextOutput(2))!.join('');
    for (let i = 0; i < LINES; i++) {
      expect(text).toContain(`line ${i}\n`);
    }

    await page.sidebar.openTab('jlab-platform-panel');
    const row = page.locator(`${PANEL} .jp-CaptureRow[data-name="capture-cell1"]`);
    await expect(row).toHaveAttribute('data-state', 'finished', { timeout: 10000 });
    await expect(row.locator('.jp-CaptureRow-where')).toHaveText(path);
    await page.screenshot({ path: 'test-results/screenshots/capture-restore.png' });
  });
});
