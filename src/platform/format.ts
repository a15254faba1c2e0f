/**
 * Pure formatting shared by every feature (no JupyterLab imports: unit-tested in node).
 * Missing values read "—" everywhere, sizes are binary (KiB, MiB).
 */
import type { components } from '../api/schema';

type Schemas = components['schemas'];
/** A framework as the server detects it: version null when it is not installed. */
export type IFramework = Schemas['Framework'];
export type IPlatformInfo = Schemas['PlatformInfo'];

/** A framework as a short label: its version, or null when it is not installed. */
export function frameworkLabel(framework: IFramework | undefined): string | null {
  if (!framework || !framework.available) {
    return null;
  }
  return framework.version ?? '?';
}

/** GPUs as the panel shows them, e.g. "2 (NVIDIA H100, NVIDIA H100)" or "0". */
export function gpuLabel(info: Pick<IPlatformInfo, 'gpus' | 'gpu_names'>): string {
  const names = info.gpu_names.length ? ` (${info.gpu_names.join(', ')})` : '';
  return `${info.gpus}${names}`;
}

/** The text of an error body `{error, detail}` as one readable line. */
export function errorText(body: unknown, fallback: string): string {
  if (body && typeof body === 'object') {
    const { error, detail } = body as { error?: unknown; detail?: unknown };
    if (typeof error === 'string' && error) {
      return typeof detail === 'string' && detail ? `${error}: ${detail}` : error;
    }
  }
  return fallback;
}

/** What an error says to a person: its message, without the class name `String(error)` puts first. */
export function errorMessage(error: unknown): string {
  return error instanceof Error ? error.message : String(error);
}

/** The last part of a path, as the file browser names it: "models/cnn.keras" -> "cnn.keras". */
export function baseName(path: string): string {
  const parts = path.split('/').filter(part => part.length > 0);
  return parts.length ? parts[parts.length - 1] : path;
}

/** The mark for a value the server does not have (yet): a time not reached, a size unknown. */
export const MISSING = '—';

/** A time from the server as the user's locale writes it; "—" when missing, the text itself when unparseable. */
export function formatTime(iso: string | null | undefined): string {
  if (!iso) {
    return MISSING;
  }
  const date = new Date(iso);
  return Number.isNaN(date.getTime()) ? iso : date.toLocaleString();
}

/** A byte count as "512 B", "256 KiB", "1.5 MiB"; "—" when missing. */
export function formatBytes(bytes: number | null | undefined): string {
  if (bytes === null || bytes === undefined) {
    return MISSING;
  }
  if (!Number.isFinite(bytes) || bytes < 1024) {
    return `${Math.max(0, Math.round(bytes || 0))} B`;
  }
  const units = ['KiB', 'MiB', 'GiB', 'TiB'];
  let value = bytes;
  let unit = -1;
  while (value >= 1024 && unit < units.length - 1) {
    value /= 1024;
    unit++;
  }
  return `${value >= 10 ? Math.round(value) : Math.round(value * 10) / 10} ${units[unit]}`;
}

/** "?a=1&b=x" from the defined values of `params`, or "" when none is defined. */
export function queryString(params: Record<string, string | number | boolean | undefined | null>): string {
  const parts = Object.entries(params)
    .filter(([, value]) => value !== undefined && value !== null && value !== '')
    .map(([key, value]) => `${encodeURIComponent(key)}=${encodeURIComponent(String(value))}`);
  return parts.length ? `?${parts.join('&')}` : '';
}
