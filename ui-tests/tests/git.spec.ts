import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';
import { execFileSync } from 'child_process';
import { mkdirSync, mkdtempSync, writeFileSync } from 'fs';
import { tmpdir } from 'os';
import { join } from 'path';

const SECTION = '#jlab-platform-panel .jp-GitSection';

/** The Git section, with the workspace made a repository (Init) when it is not one yet. */
async function gitSection(page: IJupyterLabPageFixture): Promise<Locator> {
  await page.sidebar.openTab('jlab-platform-panel');
  const section = page.locator(SECTION);
  await expect(section).toHaveAttribute('data-repository', /true|false/);
  if ((await section.getAttribute('data-repository')) === 'false') {
    await expect(section.locator('.jp-GitSection-message')).toHaveText('This workspace is not a git repository yet.');
    await section.locator('[data-action="init"]').click();
    await expect(section).toHaveAttribute('data-repository', 'true');
  }
  await expect(section.locator('.jp-GitSection-branch')).toHaveText('main');
  return section;
}

/** Sync through the dialog that is open: check it lists `path`, write `message`, accept. */
async function syncDialog(page: IJupyterLabPageFixture, path: string, message: string): Promise<void> {
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator(`.jp-GitSync-file[data-path="${path}"]`)).toBeVisible();
  await dialog.locator('.jp-GitSync-message').fill(message);
  await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
  await expect(dialog).toHaveCount(0);
}

async function serverRoot(page: IJupyterLabPageFixture): Promise<string> {
  return page.evaluate(
    () => JSON.parse(document.getElementById('jupyter-config-data')!.textContent!).serverRoot as string
  );
}

function git(cwd: string, ...args: string[]): string {
  const identity = ['-c', 'user.name=Colleague', '-c', 'user.email=colleague@example.com'];
  return execFileSync('git', [...identity, ...args], { cwd, encoding: 'utf-8' });
}

/** Give the workspace repository a bare remote and a colleague's clone of it; returns the clone. */
async function addRemote(page: IJupyterLabPageFixture): Promise<string> {
  const root = await serverRoot(page);
  const scratch = mkdtempSync(join(tmpdir(), 'git-ui-'));
  const remote = join(scratch, 'remote.git');
  git(scratch, 'init', '-q', '--bare', '--initial-branch=main', remote);
  try {
    git(root, 'remote', 'remove', 'origin'); // left by an earlier run on a reused server
  } catch {
    // none yet
  }
  git(root, 'remote', 'add', 'origin', remote);
  git(root, 'push', '-q', '-u', 'origin', 'main');
  git(scratch, 'clone', '-q', remote, 'colleague');
  return join(scratch, 'colleague');
}

test.describe('Git sync', () => {
  test('edit a notebook, Sync from its toolbar with a message, see the commit in the history', async ({
    page,
    tmpPath
  }) => {
    const section = await gitSection(page);
    const name = 'git_sync.ipynb';
    await page.notebook.createNew(name);
    await page.notebook.setCell(0, 'code', 'learning_rate = 0.1\nprint(learning_rate)');

    // Unsaved edits count: Sync saves first.
    await page.locator('.jp-NotebookPanel-toolbar [data-command="jlab-platform:git-sync"]').click();
    // The new notebook is untracked (earlier tests on a shared workspace may have committed the rest).
    const untracked = page.locator('.jp-Dialog .jp-GitSync-group[data-group="untracked"]');
    await expect(untracked.locator(`.jp-GitSync-file[data-path="${tmpPath}/${name}"]`)).toBeVisible();
    await page.screenshot({ path: 'test-results/screenshots/git-sync-dialog.png' });
    await syncDialog(page, `${tmpPath}/${name}`, 'Train with learning rate 0.1');
    // The progress toast turns into the outcome.
    await expect(page.locator('.Toastify__toast--success', { hasText: 'Committed' })).toBeVisible();

    await page.sidebar.openTab('jlab-platform-panel');
    const newest = section.locator('.jp-GitHistory-item').first();
    await expect(newest.locator('.jp-GitHistory-message')).toHaveText('Train with learning rate 0.1');
    await expect(newest.locator('.jp-GitHistory-time')).toHaveText('just now');
    await newest.locator('.jp-GitHistory-files summary').click();
    const file = newest.locator('.jp-GitHistory-file', { hasText: `${tmpPath}/${name}` });
    await expect(file).toBeVisible();
    await expect(section.locator('.jp-GitSection-changed')).toHaveText('clean');
    await page.screenshot({ path: 'test-results/screenshots/git-history.png' });

    await file.click();
    const diff = page.locator('.jp-Dialog .jp-GitDiff');
    await expect(diff.locator('.jp-GitDiff-line.jp-mod-add', { hasText: 'learning_rate = 0.1' })).toBeVisible();
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();
  });

  test('rollback from the history restores a file as a new commit', async ({ page, tmpPath }) => {
    const section = await gitSection(page);
    const path = `${tmpPath}/params.py`;
    for (const [value, message] of [
      ['0.1', 'First parameters'],
      ['0.5', 'Too large a learning rate']
    ]) {
      await page.contents.uploadContent(`lr = ${value}\n`, 'text', path);
      await section.locator('[data-action="sync"]').click();
      await syncDialog(page, path, message);
      await expect(section.locator('.jp-GitHistory-item').first().locator('.jp-GitHistory-message')).toHaveText(
        message
      );
    }

    const first = section.locator('.jp-GitHistory-item', { hasText: 'First parameters' });
    await first.hover();
    await first.locator('.jp-GitHistory-rollback').click();
    const confirm = page.locator('.jp-Dialog');
    await expect(confirm).toContainText('as a new commit');
    await confirm.locator('.jp-Dialog-button.jp-mod-accept').click();

    const newest = section.locator('.jp-GitHistory-item').first().locator('.jp-GitHistory-message');
    await expect(newest).toHaveText(/^Roll back the workspace to \w{8} \(First parameters\)$/);
    await expect(section.locator('.jp-GitHistory-item', { hasText: 'Too large a learning rate' })).toHaveCount(1);
    const file = await page.request.get(`/api/contents/${path}?type=file&format=text&content=1`);
    expect((await file.json()).content).toBe('lr = 0.1\n');
  });

  test('a conflict with the remote is settled per file in the conflict dialog', async ({ page, tmpPath }) => {
    const section = await gitSection(page);
    const path = `${tmpPath}/shared.py`;
    await page.contents.uploadContent('threshold = 0.5\n', 'text', path);
    await section.locator('[data-action="sync"]').click();
    await syncDialog(page, path, 'Shared threshold');
    await expect(section.locator('.jp-GitSection-changed')).toHaveText('clean');
    const colleague = await addRemote(page);
    execFileSync('sh', ['-c', `echo 'threshold = 0.9' > '${path}'`], { cwd: colleague });
    git(colleague, 'commit', '-q', '-am', 'Colleague raises the threshold');
    git(colleague, 'push', '-q');

    await page.contents.uploadContent('threshold = 0.3\n', 'text', path);
    await section.locator('[data-action="sync"]').click();
    await syncDialog(page, path, 'Lower the threshold');

    const conflicts = page.locator('.jp-Dialog .jp-GitConflicts');
    const row = conflicts.locator('.jp-GitConflicts-file', { hasText: path });
    await expect(row).toBeVisible();
    await page.screenshot({ path: 'test-results/screenshots/git-conflict.png' });
    await row.locator('[data-choice="mine"]').click();
    await expect(conflicts).toHaveCount(0);
    await expect(page.locator('.Toastify__toast--success', { hasText: 'Synced' }).first()).toBeVisible();

    git(colleague, 'pull', '-q');
    expect(git(colleague, 'show', `HEAD:${path}`)).toBe('threshold = 0.3\n');
    await expect(section.locator('.jp-GitSection-changed')).toHaveText('clean');
    await expect(section.locator('.jp-GitSection-aheadBehind')).toHaveCount(0);
  });

  test('the sync dialog folds many files by folder; history rows fit a narrow sidebar, light and dark', async ({
    page,
    tmpPath
  }) => {
    const section = await gitSection(page);
    const root = await serverRoot(page);
    // 126 new files, as a photo dataset gives them: two large folders and a few files beside them.
    for (const [folder, count] of [
      ['photos/cat', 60],
      ['photos/dog', 60],
      ['notes', 3]
    ] as const) {
      mkdirSync(join(root, tmpPath, folder), { recursive: true });
      for (let i = 1; i <= count; i++) {
        writeFileSync(join(root, tmpPath, folder, `img${i}.txt`), `${folder} ${i}\n`);
      }
    }
    for (const name of ['train.py', 'params.py', 'README.md']) {
      writeFileSync(join(root, tmpPath, name), `# ${name}\n`);
    }
    await section.locator('[data-action="sync"]').click();
    const dialog = page.locator('.jp-Dialog');
    const cats = dialog.locator(`.jp-GitSync-folder[data-path="${tmpPath}/photos/cat"]`);
    await expect(cats.locator('> summary')).toHaveText('cat/60 files');
    await expect(cats).not.toHaveAttribute('open');
    await expect(cats.locator('.jp-GitSync-file').first()).toBeHidden();
    const photos = dialog.locator(`.jp-GitSync-folder[data-path="${tmpPath}/photos"]`);
    await expect(photos).toHaveAttribute('open');
    await expect(photos.locator('> summary .jp-GitSync-count')).toHaveText('120 files');
    const notes = dialog.locator(`.jp-GitSync-folder[data-path="${tmpPath}/notes"]`);
    await expect(notes).toHaveAttribute('open');
    await expect(notes.locator('.jp-GitSync-file[data-path$="notes/img1.txt"]')).toHaveText('img1.txt (added)');
    await expect(dialog.locator(`.jp-GitSync-file[data-path="${tmpPath}/train.py"]`)).toBeVisible();
    await page.screenshot({ path: 'test-results/screenshots/git-sync-folders.png' });
    await cats.locator('> summary').click();
    await expect(cats.locator(`.jp-GitSync-file[data-path="${tmpPath}/photos/cat/img2.txt"]`)).toBeVisible();
    await page.theme.setDarkTheme();
    await page.screenshot({ path: 'test-results/screenshots/git-sync-folders-dark.png' });
    await dialog.locator('.jp-GitSync-message').fill('Add the photos');
    await dialog.locator('.jp-Dialog-button.jp-mod-accept').click();
    await expect(dialog).toHaveCount(0);
    await page.sidebar.openTab('jlab-platform-panel');
    await expect(section.locator('.jp-GitHistory-item').first().locator('.jp-GitHistory-message')).toHaveText(
      'Add the photos'
    );
    writeFileSync(join(root, tmpPath, 'train.py'), 'schedule = "cosine"\n');
    git(root, 'add', join(tmpPath, 'train.py'));

    // A commit from a quarter of an hour ago by someone with a long name, then a small laptop
    // screen: the time stays on one line and Rollback is in view without hovering.
    execFileSync(
      'git',
      [
        ...['-c', 'user.name=Alexandra Konstantinopoulou', '-c', 'user.email=alexandra@example.com'],
        ...['commit', '-q', '-m', 'Use a cosine learning rate schedule for the long training run']
      ],
      { cwd: root, env: { ...process.env, GIT_AUTHOR_DATE: new Date(Date.now() - 15 * 60000).toISOString() } }
    );
    writeFileSync(join(root, tmpPath, 'params.py'), 'lr = 0.01\n');
    await expect(section.locator('.jp-GitSection-changed')).toHaveText('1 changed');
    await page.setViewportSize({ width: 1024, height: 700 });
    for (const theme of ['dark', 'light']) {
      if (theme === 'light') {
        await page.theme.setLightTheme();
      }
      const newest = section.locator('.jp-GitHistory-item').first();
      const time = newest.locator('.jp-GitHistory-time');
      await expect(time).toHaveText('15 minutes ago', { timeout: 15000 });
      const rollback = newest.locator('.jp-GitHistory-rollback');
      await expect(rollback).toBeVisible();
      const id = newest.locator('.jp-GitHistory-id');
      const [timeBox, metaBox, idBox, rollbackBox, sectionBox] = await Promise.all(
        [time, newest.locator('.jp-GitHistory-meta'), id, rollback, section].map(l => l.boundingBox())
      );
      expect(metaBox!.height).toBeLessThan(1.5 * timeBox!.height); // one line
      for (const box of [idBox, rollbackBox]) {
        expect(box!.x + box!.width).toBeLessThanOrEqual(sectionBox!.x + sectionBox!.width);
      }
      await page.screenshot({
        path: `test-results/screenshots/git-history-narrow${theme === 'dark' ? '-dark' : ''}.png`
      });
    }
  });
});
