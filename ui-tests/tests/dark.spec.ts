import { expect, IJupyterLabPageFixture, test } from '@jupyterlab/galata';
import type { Locator } from '@playwright/test';

const PANEL = '#jlab-platform-panel';
const SHOTS = 'test-results/screenshots';

const METRICS_JOB = [
  'import json',
  'for i in range(1, 11):',
  '    print(json.dumps({"metric": "loss", "value": round(1 / i, 4), "step": i, "total": 10}), flush=True)',
  'print("done")',
  ''
].join('\n');

/**
 * The contrast ratio (WCAG) of an element's text against what is painted behind it: its own
 * background over its ancestors' (tints are see-through), composited the way the page does it.
 */
async function contrast(locator: Locator): Promise<number> {
  return locator.evaluate((element: Element) => {
    const number = String.raw`(-?[\d.]+(?:e-?\d+)?)`;
    const srgb = new RegExp(String.raw`^color\(srgb ${number} ${number} ${number}(?: / ${number})?\)$`);
    const rgb = new RegExp(String.raw`^rgba?\(${number}, ${number}, ${number}(?:, ${number})?\)$`);
    const parse = (css: string): number[] => {
      const found = srgb.exec(css);
      if (found) {
        return [...found.slice(1, 4).map(v => Number(v) * 255), found[4] === undefined ? 1 : Number(found[4])];
      }
      const plain = rgb.exec(css);
      if (plain) {
        return [...plain.slice(1, 4).map(Number), plain[4] === undefined ? 1 : Number(plain[4])];
      }
      throw new Error(`cannot read the colour ${css}`);
    };
    const over = (top: number[], below: number[]): number[] => [
      ...[0, 1, 2].map(i => top[i] * top[3] + below[i] * (1 - top[3])),
      1
    ];
    const layers: number[][] = [];
    for (let node: Element | null = element; node; node = node.parentElement) {
      const layer = parse(getComputedStyle(node).backgroundColor);
      layers.push(layer);
      if (layer[3] === 1) {
        break;
      }
    }
    const back = layers.reverse().reduce((below, top) => over(top, below), [255, 255, 255, 1]);
    const text = over(parse(getComputedStyle(element).color), back);
    const luminance = (color: number[]): number => {
      const [r, g, b] = color.slice(0, 3).map(v => {
        const c = v / 255;
        return c <= 0.03928 ? c / 12.92 : ((c + 0.055) / 1.055) ** 2.4;
      });
      return 0.2126 * r + 0.7152 * g + 0.0722 * b;
    };
    const [light, dark] = [luminance(back), luminance(text)].sort((a, b) => b - a);
    return (light + 0.05) / (dark + 0.05);
  });
}

async function shot(page: IJupyterLabPageFixture, name: string, target?: Locator): Promise<void> {
  await (target ?? page).screenshot({ path: `${SHOTS}/dark-${name}.png` });
}

/** Open a dialog with `open`, screenshot it, and close it with its Cancel button. */
async function dialogShot(page: IJupyterLabPageFixture, name: string, open: () => Promise<unknown>): Promise<void> {
  const opened = open();
  const dialog = page.locator('.jp-Dialog');
  await expect(dialog.locator('.jp-Dialog-content')).toBeVisible();
  await shot(page, name);
  await dialog.locator('.jp-Dialog-button.jp-mod-reject').first().click();
  await expect(dialog).toHaveCount(0);
  await opened;
}

test.describe('Dark theme', () => {
  test('each panel of the extension reads in JupyterLab Dark', async ({ page, tmpPath }) => {
    test.setTimeout(180000);
    await page.theme.setDarkTheme();
    expect(await page.theme.getTheme()).toBe('JupyterLab Dark');

    // Something in each section: a finished job with metrics, changed files for git.
    const script = `${tmpPath}/dark_metrics.py`;
    await page.contents.uploadContent(METRICS_JOB, 'text', script);
    await page.contents.uploadContent('{}', 'text', `${tmpPath}/model.keras`);
    await page.sidebar.openTab('jlab-platform-panel');
    const git = page.locator(`${PANEL} .jp-GitSection`);
    await expect(git).toHaveAttribute('data-repository', /true|false/);
    if ((await git.getAttribute('data-repository')) === 'false') {
      await git.locator('[data-action="init"]').click();
      await expect(git).toHaveAttribute('data-repository', 'true');
    }

    await dialogShot(page, 'dialog-job', () =>
      page.evaluate(async path => {
        await window.jupyterapp.commands.execute('jlab-platform:submit-job', { path });
      }, script)
    );
    const submitted = page.evaluate(async path => {
      await window.jupyterapp.commands.execute('jlab-platform:submit-job', { path });
    }, script);
    await page.locator('.jp-Dialog .jp-Dialog-button.jp-mod-accept').click();
    await submitted;
    const row = page.locator(`${PANEL} .jp-JobRow`).filter({ hasText: 'dark_metrics' }).first();
    await expect(row).toHaveAttribute('data-status', 'success', { timeout: 60000 });

    // The badge the newcomer could not read (white on pale peach, 1.2:1).
    const changed = git.locator('.jp-GitSection-changed.jp-mod-dirty');
    await expect(changed).toBeVisible({ timeout: 15000 });
    for (const readable of [
      changed,
      row.locator('.jp-JobEnv'),
      page.locator(`${PANEL} .jp-PlatformPanel-value`).first(),
      git.locator('.jp-GitSection-branch')
    ]) {
      expect(await contrast(readable)).toBeGreaterThanOrEqual(4.5);
    }

    await shot(page, 'platform');
    for (const [name, selector] of [
      ['jobs', '#jlab-platform-jobs'],
      ['git', '#jlab-platform-git'],
      ['captures', '#jlab-platform-captures'],
      ['crowdsourcing', '#jlab-platform-crowd-section']
    ]) {
      const section = page.locator(selector);
      await section.scrollIntoViewIfNeeded();
      await shot(page, name, section);
    }

    await row.locator('.jp-JobAction[data-action="log"]').click();
    await expect(page.locator('.jp-JobView:visible .jp-JobLog-text')).toContainText('done');
    await shot(page, 'job-view');

    await dialogShot(page, 'dialog-git-sync', () => git.locator('[data-action="sync"]').click());
    await page.sidebar.openTab('jlab-platform-panel');
    await dialogShot(page, 'dialog-crowd-task', () =>
      page.locator(`${PANEL} .jp-CrowdSection [data-action="new-task"]`).click()
    );
    await dialogShot(page, 'dialog-convert', async () => {
      await page.sidebar.openTab('filebrowser');
      await page.filebrowser.refresh();
      await page.locator('.jp-DirListing-item', { hasText: 'model.keras' }).click({ button: 'right' });
      await page.locator('.lm-Menu-item', { hasText: 'Convert to TensorFlow Lite…' }).click();
    });

    await page.sidebar.openTab('jlab-platform-modules');
    const modules = page.locator('#jlab-platform-modules');
    await expect(modules.locator('.jp-ModulesItem').first()).toBeVisible();
    await shot(page, 'modules');
    await modules.locator('.jp-ModulesItem[data-kind="module"] .jp-ModulesItem-open').first().click();
    await expect(modules.locator('.jp-ModulesDetail-readme')).toBeVisible();
    await shot(page, 'modules-detail');
  });
});
