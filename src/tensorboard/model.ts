/** What the TensorBoard UI decides without the DOM: folders, URLs, the cell output's data. */
/** The MIME type `%platform_tensorboard` displays: `{id, url, logdir}`. */
export const TENSORBOARD_MIME = 'application/vnd.jlab-platform.tensorboard+json';

/** What a cell output names: the instance and its folder. */
export interface ITensorBoardOutput {
  id: string;
  url: string;
  logdir: string;
}

/**
 * A folder as one key: no leading "./" or "/", no trailing or doubled "/" ("" is the root).
 * Two spellings of one folder open one tab.
 */
export function normalizeFolder(path: string): string {
  return path
    .trim()
    .split('/')
    .filter(part => part !== '' && part !== '.')
    .join('/');
}

/** The folder's own name, for a tab title: "run-1" for "results/tensorboard/run-1", "/" for the root. */
export function folderName(path: string): string {
  const folder = normalizeFolder(path);
  return folder === '' ? '/' : folder.slice(folder.lastIndexOf('/') + 1);
}

/** The browser URL of a proxied path that is relative to the server's base URL. */
export function proxiedUrl(baseUrl: string, path: string): string {
  return `${baseUrl.replace(/\/+$/, '')}/${path.replace(/^\/+/, '')}`;
}

/**
 * The page's URL: the proxied path, asking for TensorBoard's dark mode when JupyterLab's theme is
 * dark (its `darkMode` flag is only the default: a theme picked in TensorBoard itself still wins).
 */
export function pageUrl(baseUrl: string, path: string, dark: boolean): string {
  return proxiedUrl(baseUrl, path) + (dark ? '?darkMode=true' : '');
}

/** The output's data when it has the three strings the renderer needs, else null. */
export function parseOutput(data: unknown): ITensorBoardOutput | null {
  if (!data || typeof data !== 'object') {
    return null;
  }
  const { id, url, logdir } = data as Record<string, unknown>;
  if (typeof id !== 'string' || !id || typeof url !== 'string' || !url || typeof logdir !== 'string') {
    return null;
  }
  return { id, url, logdir };
}
