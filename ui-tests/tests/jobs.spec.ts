import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

const PANEL = '#jlab-platform-panel';

/** The row of the job that runs `script` (root-relative), in the Platform panel's Jobs section. */
function jobRow(page: IJupyterLabPageFixture, script: string): Locator {
  return page.locator(`${PANEL} .jp-JobRow`).filter({ has: page.locator('.jp-JobRow-script', { hasText: script }) });
}

/** Fill the Run as Job dialog that is open and submit it. */
async function submitDialog(page: IJupyterLabPageFixture, env: 'console' | 'cpu' | 'gpu'): Promise<void> {
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('.jp-JobSubmit')).toBeVisible();
  await dialog.locator('.jp-JobSubmit-env').selectOption(env);
  await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
  await expect(dialog).toHaveCount(0);
}

/** Submit `path` through the palette command, as a user with the file open would. */
async function submitPath(page: IJupyterLabPageFixture, path: string, env: 'console' | 'cpu'): Promise<void> {
  const done = page.evaluate(async path => {
    await window.jupyterapp.commands.execute('jlab-platform:submit-job', { path });
  }, path);
  await submitDialog(page, env);
  await done;
}

/** Run `script` as a cpu job, wait for its success and open its view. */
async function runToSuccessAndOpen(page: IJupyterLabPageFixture, script: string): Promise<Locator> {
  await submitPath(page, script, 'cpu');
  await page.sidebar.openTab('jlab-platform-panel');
  const row = jobRow(page, script);
  await expect(row).toHaveAttribute('data-status', 'success', { timeout: 60000 });
  await row.locator('.jp-JobAction[data-action="log"]').click();
  return page.locator('.jp-JobView:visible');
}

test.describe('Jobs', () => {
  test('a script run from the editor toolbar succeeds, notifies, and its log shows its output', async ({
    page,
    tmpPath
  }) => {
    const script = `${tmpPath}/job_ok.py`;
    await page.contents.uploadContent('print("an old version", flush=True)\n', 'text', script);
    await page.filebrowser.open(script);
    await page.locator('.jp-FileEditor').first().waitFor();
    // An unsaved edit: the job must run it, so Run as Job saves first.
    await page.locator('.jp-FileEditor .cm-content').click();
    await page.keyboard.press('Control+A');
    await page.keyboard.type('print("hello from job_ok", flush=True)');
    await expect(page.locator('.lm-TabBar-tab.jp-mod-current.jp-mod-dirty')).toHaveCount(1);
    await page.locator('.jp-Document:visible .jp-RunAsJobButton').click();
    await submitDialog(page, 'cpu');

    await page.sidebar.openTab('jlab-platform-panel');
    const row = jobRow(page, script);
    await expect(row).toHaveAttribute('data-status', 'success', { timeout: 60000 });
    await expect(row.locator('.jp-JobRow-name')).toHaveText('job_ok');
    await expect(row.locator('.jp-JobEnv')).toHaveText('cpu');

    const toast = page.locator('.jp-Notification-Toast-success', { hasText: 'Job job_ok succeeded' });
    await expect(toast).toBeVisible();
    await toast.locator('.jp-toast-button', { hasText: 'Open log' }).click();

    const view = page.locator('.jp-JobView:visible');
    await expect(view.locator('.jp-JobLog-text')).toContainText('hello from job_ok');
    await expect(view.locator('.jp-JobView-status')).toHaveText('success');
    await expect(view.locator('.jp-JobLog-state')).toHaveText('complete');
    await page.screenshot({ path: 'test-results/screenshots/jobs-log.png' });
  });

  test('Run as Job… from the file browser opens the dialog; gpu says why when there is none', async ({
    page,
    tmpPath
  }) => {
    await page.contents.uploadContent('print(1)\n', 'text', `${tmpPath}/context_menu.py`);
    await page.filebrowser.refresh();
    await page
      .locator('.jp-DirListing-item[data-file-type="python"]', { hasText: 'context_menu.py' })
      .click({ button: 'right' });
    await page.locator('.lm-Menu-item', { hasText: 'Run as Job…' }).click();

    const dialog = page.locator('.jp-Dialog');
    await expect(dialog.locator('.jp-JobSubmit-script')).toHaveText(`${tmpPath}/context_menu.py`);
    const environments = (await (await page.request.get('/jlab-platform/api/jobs/environments')).json()) as {
      environments: { name: string; available: boolean; reason: string | null }[];
    };
    const gpu = environments.environments.find(env => env.name === 'gpu')!;
    if (gpu.available) {
      await expect(dialog.locator('option[value="gpu"]')).toHaveJSProperty('disabled', false);
    } else {
      await expect(dialog.locator('option[value="gpu"]')).toHaveJSProperty('disabled', true);
      await expect(dialog.locator('.jp-JobSubmit-unavailable[data-env="gpu"]')).toContainText(gpu.reason!);
    }
    await expect(dialog.locator('option[value="cpu"]')).toHaveJSProperty('disabled', false);
    await page.screenshot({ path: 'test-results/screenshots/jobs-dialog.png' });
    await dialog.locator('.jp-Dialog-button.jp-mod-reject').click();
    await expect(dialog).toHaveCount(0);
  });

  test('the notebook toolbar has a Run as Job button that opens the dialog for the notebook', async ({ page }) => {
    const name = await page.notebook.createNew('job_notebook.ipynb');
    expect(name).toBe('job_notebook.ipynb');
    await page.locator('.jp-NotebookPanel-toolbar [data-command="jlab-platform:submit-job"]').click();
    const dialog = page.locator('.jp-Dialog');
    await expect(dialog.locator('.jp-JobSubmit-script')).toHaveText(/job_notebook\.ipynb$/);
    await dialog.locator('.jp-Dialog-button.jp-mod-reject').click();
  });

  test('a job printing metrics gets a chart and a progress bar', async ({ page, tmpPath }) => {
    const script = `${tmpPath}/job_metrics.py`;
    await page.contents.uploadContent(
      [
        'import json, time',
        'n = 20',
        'for i in range(1, n + 1):',
        '    print(json.dumps({"metric": "loss", "value": round(1 / i, 4), "step": i, "total": n}), flush=True)',
        '    print(json.dumps({"metric": "accuracy", "value": round(1 - 1 / (i + 1), 4), "step": i, "total": n}), flush=True)',
        '    time.sleep(0.05)',
        'print("training done")',
        ''
      ].join('\n'),
      'text',
      script
    );
    const view = await runToSuccessAndOpen(page, script);
    await expect(view.locator('.jp-JobLog-text')).toContainText('training done');
    const loss = view.locator('.jp-JobChart[data-metric="loss"]');
    await expect(loss.locator('svg')).toBeVisible();
    await expect(loss.locator('polyline')).toHaveAttribute('points', /\d+(\.\d+)?,\d+(\.\d+)?( |$)/);
    await expect(loss.locator('.jp-JobChart-last')).toHaveText('0.05 at step 20');
    await expect(view.locator('.jp-JobChart[data-metric="accuracy"] svg')).toBeVisible();
    await expect(view.locator('.jp-JobProgress-text')).toContainText('20/20');
    await expect(view.locator('.jp-JobProgress-fill')).toHaveAttribute('style', /width: 100%/);
    // The "submitted" toast closes by itself; wait so that it does not cover the log.
    await expect(page.locator('.jp-Notification-Toast-info')).toHaveCount(0, { timeout: 15000 });
    await page.screenshot({ path: 'test-results/screenshots/jobs-metrics.png' });
  });

  test('a long log shows its tail first and earlier pages on demand', async ({ page, tmpPath }) => {
    const script = `${tmpPath}/job_long_log.py`;
    // About 400 KiB: more than the 256 KiB tail the view loads first.
    await page.contents.uploadContent(
      'for i in range(8000):\n    print(f"line {i:05d} " + "x" * 40)\nprint("the end")\n',
      'text',
      script
    );
    const view = await runToSuccessAndOpen(page, script);
    const text = view.locator('.jp-JobLog-text');
    await expect(text).toContainText('the end');
    await expect(text).not.toContainText('line 00000 ');
    const earlier = view.locator('.jp-JobLog-earlier');
    await expect(earlier).toContainText('of earlier output not shown');
    await earlier.locator('.jp-JobLog-loadEarlier').click();
    await expect(text).toContainText('line 00000 ');
    await expect(earlier).toBeHidden();
    const download = view.locator('.jp-JobLog-download');
    await expect(download).toHaveAttribute('href', /\/jlab-platform\/api\/jobs\/\w+\/log\?download=1$/);
    const whole = await page.request.get((await download.getAttribute('href'))!);
    expect(whole.headers()['content-disposition']).toContain('attachment');
    expect(await whole.text()).toMatch(/^line 00000 [\s\S]*the end\n$/);
  });

  test('a long-running job is terminated from the list', async ({ page, tmpPath }) => {
    const script = `${tmpPath}/job_sleep.py`;
    await page.contents.uploadContent('import time\nprint("sleeping", flush=True)\ntime.sleep(600)\n', 'text', script);
    await submitPath(page, script, 'cpu');
    await page.sidebar.openTab('jlab-platform-panel');
    const row = jobRow(page, script);
    await expect(row).toHaveAttribute('data-status', 'running', { timeout: 60000 });
    await expect(row.locator('.jp-JobStatus-running')).toBeVisible();

    await row.locator('.jp-JobAction[data-action="terminate"]').click();
    const confirm = page.locator('.jp-Dialog');
    await expect(confirm).toContainText('Terminate job?');
    await confirm.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(row).toHaveAttribute('data-status', 'terminated', { timeout: 30000 });
    await expect(row.locator('.jp-JobAction[data-action="restart"]')).toBeVisible();
    // A stop the user asked for is news, not an error: an info toast that closes by itself.
    const toast = page.locator('.jp-Notification-Toast-info', { hasText: 'Job job_sleep was stopped by you' });
    await expect(toast).toBeVisible();
    await expect(page.locator('.jp-Notification-Toast-error')).toHaveCount(0);
    await row.locator('.jp-JobAction[data-action="log"]').click();
    const view = page.locator('.jp-JobView:visible');
    await expect(view.locator('dd[data-key="exit-code"]')).toHaveText('stopped by you');
    await expect(view.locator('.jp-JobView-facts')).not.toContainText('Exit code');
    await expect(view.locator('dd[data-key="reason"]')).toHaveCount(0);
    await page.screenshot({ path: 'test-results/screenshots/jobs-terminated.png' });
    await expect(toast).toHaveCount(0, { timeout: 15000 });
  });

  test('two trainings in one job are two curves with a legend, in light and dark themes', async ({ page, tmpPath }) => {
    const script = `${tmpPath}/job_two_runs.py`;
    await page.contents.uploadContent(
      [
        'import json',
        'def train(scale, n=12):',
        '    for i in range(1, n + 1):',
        '        print(json.dumps({"metric": "loss", "value": round(scale / i, 4), "step": i, "total": n}))',
        '        print(json.dumps({"metric": "accuracy", "value": round(1 - scale / (i + 2), 4), "step": i, "total": n}))',
        'train(1.0)',
        'train(0.6)  # the step goes back to 1: a second run',
        'print(json.dumps({"run": "run-fine-tune"}))',
        'train(0.3, n=6)',
        'print("training done", flush=True)',
        ''
      ].join('\n'),
      'text',
      script
    );
    const view = await runToSuccessAndOpen(page, script);
    await expect(view.locator('.jp-JobLog-text')).toContainText('training done');
    const loss = view.locator('.jp-JobChart[data-metric="loss"]');
    await expect(loss.locator('polyline')).toHaveCount(3);
    await expect(loss.locator('polyline[data-run="1"]')).toHaveClass(/jp-JobChart-run1/);
    await expect(view.locator('.jp-JobChart[data-metric="accuracy"] polyline')).toHaveCount(3);
    await expect(view.locator('.jp-JobChart-legendItem')).toHaveText(['run 1', 'run 2', 'run-fine-tune']);
    await expect(loss.locator('.jp-JobChart-last')).toHaveText('0.05 at step 6');
    // Informational toasts close by themselves: none is left over the view.
    await expect(page.locator('.jp-Notification-Toast-info, .jp-Notification-Toast-success')).toHaveCount(0, {
      timeout: 15000
    });
    await view.screenshot({ path: 'test-results/screenshots/jobs-two-runs.png' });
    await page.theme.setDarkTheme();
    await expect(view.locator('.jp-JobChart-legend')).toBeVisible();
    await view.screenshot({ path: 'test-results/screenshots/jobs-two-runs-dark.png' });
  });

  test('an open job view comes back after a reload (the layout restores it)', async ({ page, tmpPath }) => {
    const script = `${tmpPath}/job_restored.py`;
    await page.contents.uploadContent('print("still here")\n', 'text', script);
    // The workspace is saved a moment after the layout changes: reload once it has the job's tab.
    const saved = page.waitForRequest(
      request =>
        request.method() === 'PUT' &&
        /\/api\/workspaces\//.test(request.url()) &&
        /jlab-platform-job:/.test(request.postData() ?? '')
    );
    const view = await runToSuccessAndOpen(page, script);
    await expect(view.locator('.jp-JobLog-text')).toContainText('still here');
    await saved;
    // Not waiting for the Launcher: the job's tab is the one in front again.
    await page.reload({ waitForIsReady: false });
    await expect(page.locator('.jp-JobView:visible .jp-JobLog-text')).toContainText('still here');
    await expect(page.locator('.jp-JobViewPanel')).toHaveCount(1);
  });

  test('a console job runs in a new console and reports how it ended', async ({ page, tmpPath }) => {
    const script = `${tmpPath}/job_console.py`;
    await page.contents.uploadContent(
      'import sys\nprint("console says", sys.argv[1:], flush=True)\nraise ValueError("on purpose")\n',
      'text',
      script
    );
    const done = page.evaluate(async path => {
      await window.jupyterapp.commands.execute('jlab-platform:submit-job', { path });
    }, script);
    const dialog = page.locator('.jp-Dialog');
    await dialog.locator('.jp-JobSubmit-env').selectOption('console');
    await dialog.locator('.jp-JobSubmit-args').fill('--flag 3');
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await done;

    const console = page.locator('.jp-ConsolePanel:visible');
    await expect(console.locator('.jp-OutputArea-output').first()).toContainText("console says ['--flag', '3']", {
      timeout: 60000
    });
    await page.sidebar.openTab('jlab-platform-panel');
    const row = jobRow(page, script);
    await expect(row).toHaveAttribute('data-status', 'failed', { timeout: 30000 });
    await expect(row.locator('.jp-JobEnv')).toHaveText('console');
    await expect(page.locator('.jp-Notification-Toast-error', { hasText: 'ValueError: on purpose' })).toBeVisible();
  });
});
