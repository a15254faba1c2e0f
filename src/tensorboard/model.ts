/** What the TensorBoard UI decides without the DOM: folders, URLs, the cell output's data. */
import { MISSING } from '../platform/format';

/** The MIME type `%platform_tensorboard` displays: `{id, url, logdir}`. */
export const TENSORBOARD_MIME = 'application/vnd.jlab-platform.tensorboard+json';

/** Where every job's run is written; one TensorBoard here compares them all. */
export const RUNS_FOLDER = 'results/tensorboard';

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

/**
 * The TensorBoard run of a job: `results/tensorboard/<job name>-<job id>`, each part made a safe
 * folder name as the server makes it (jlab_platform/tensorboard/events.py `run_folder_name`):
 * runs of anything but letters, digits, "_", "." and "-" become "_", then leading and trailing
 * "." and "_" go ("_" when nothing is left); at most 200 characters.
 */
export function jobRunFolder(job: { name: string; id: string }): string {
  const safe = (part: string): string => part.replace(/[^\p{L}\p{N}_.-]+/gu, '_').replace(/^[._]+|[._]+$/g, '') || '_';
  // Python counts characters, not UTF-16 units.
  const name = Array.from([job.name, job.id].map(safe).join('-')).slice(0, 200).join('');
  return `${RUNS_FOLDER}/${name}`;
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

/** A server time, short: only the time of day when it is today, else the date and time. */
export function shortTime(iso: string | null, now: Date = new Date()): string {
  if (!iso) {
    return MISSING;
  }
  const date = new Date(iso);
  if (Number.isNaN(date.getTime())) {
    return iso;
  }
  const sameDay =
    date.getFullYear() === now.getFullYear() && date.getMonth() === now.getMonth() && date.getDate() === now.getDate();
  return sameDay
    ? date.toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
    : date.toLocaleString(undefined, { dateStyle: 'short', timeStyle: 'short' });
}
