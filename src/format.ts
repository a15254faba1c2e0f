/** Pure formatting of server facts for the panels (no JupyterLab imports: unit-tested in node). */

export interface IFramework {
  available: boolean;
  version: string | null;
}

export interface IPlatformInfo {
  version: string;
  python: string;
  torch: IFramework;
  tensorflow: IFramework;
  git: IFramework;
  gpus: number;
  gpu_names: string[];
  gpu_source: string;
  schema_version: number;
  results_dir: string;
}

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
