/** What the /convert and /files endpoints speak, and which file gets which action. */
import type { components } from '../api/schema';

export interface ITaskError {
  error: string;
  detail: string;
  /** e.g. 'needs_select_tf_ops' with the op names in `ops`. */
  code?: string;
  ops?: string[];
}

export interface IVerification {
  performed: boolean;
  reason?: string | null;
  inputs?: string;
  max_abs_diff?: number;
  argmax_agreement?: number | null;
  batch_sizes?: number[];
  /** Whether the largest difference is within `tolerance` (what the quantization costs). */
  passed?: boolean;
  tolerance?: number;
}

export interface IReport {
  source_bytes?: number;
  output_bytes?: number;
  /** How many times the converted model uses each op, most used first. */
  op_counts?: Record<string, number>;
  seconds?: number;
  verification?: IVerification;
  warnings?: string[];
  files?: number;
  bytes?: number;
  target?: string;
  [key: string]: unknown;
}

type Schemas = components['schemas'];

/**
 * A conversion or an extraction: status, progress, and the report once it ends. The schema
 * leaves `error` and `report` open objects (their keys depend on the kind), so their shape is
 * stated above.
 */
export type ITask = Omit<Schemas['jlab_platform__files__models__Task'], 'error' | 'report'> & {
  error: ITaskError | null;
  report: IReport | null;
};
export type ITfliteRequest = Schemas['TfliteRequest'];
export type IOnnxRequest = Schemas['OnnxRequest'];
export type IExtractRequest = Schemas['ExtractRequest'];
export type IExportScriptRequest = Schemas['ExportScriptRequest'];
/** The conversion worker: `tensorflow` is its version once the worker has imported it. */
export type IWorkerState = Schemas['WorkerStatus'];
export type IScriptExport = Schemas['ExportedScript'];
export type Quantize = NonNullable<ITfliteRequest['quantize']>;

export const QUANTIZE_MODES: Quantize[] = ['none', 'dynamic', 'float16', 'int8'];
const ARCHIVE_SUFFIXES = ['.zip', '.7z', '.tar', '.tar.gz', '.tgz', '.tar.bz2', '.tbz2', '.tar.xz', '.txz'];

export function isKerasModel(path: string): boolean {
  return /\.(keras|h5|hdf5)$/i.test(path);
}

export function isTorchModel(path: string): boolean {
  return /\.(pt|pt2)$/i.test(path);
}

export function isArchive(path: string): boolean {
  const lower = path.toLowerCase();
  return ARCHIVE_SUFFIXES.some(suffix => lower.endsWith(suffix) && lower.length > suffix.length);
}

export function isNotebook(path: string): boolean {
  return /\.ipynb$/i.test(path);
}

/** "1, 3, 224, 224" (or with x / spaces) as a list of positive integers; null when it is not one. */
export function parseShape(text: string): number[] | null {
  const parts = text
    .split(/[\s,x×]+/)
    .map(part => part.trim())
    .filter(part => part.length > 0);
  if (parts.length === 0 || parts.length > 8 || !parts.every(part => /^[1-9]\d*$/.test(part))) {
    return null;
  }
  return parts.map(Number);
}
