/** The conversion and file-action REST calls: TFLite/ONNX conversions, archive extraction, script export. */
import { postAPI, requestAPI } from '../api';
import type {
  IExportScriptRequest,
  IExtractRequest,
  IOnnxRequest,
  IScriptExport,
  ITask,
  ITfliteRequest,
  IWorkerState
} from './model';

function taskPath(base: string, id: string): string {
  return `${base}/${encodeURIComponent(id)}`;
}

export const convertApi = {
  /** Queue a TensorFlow Lite conversion; bad input (a folder that is no SavedModel...) is a 400. */
  tflite: (body: ITfliteRequest): Promise<ITask> => postAPI<ITask>('convert/tflite', body),
  onnx: (body: IOnnxRequest): Promise<ITask> => postAPI<ITask>('convert/onnx', body),
  /** Start the conversion worker ahead of a conversion (idempotent, answers at once). */
  warm: (): Promise<IWorkerState> => postAPI<IWorkerState>('convert/warm', {}),
  conversion: (id: string): Promise<ITask> => requestAPI<ITask>(taskPath('convert', id)),
  cancelConversion: (id: string): Promise<ITask> => requestAPI<ITask>(taskPath('convert', id), { method: 'DELETE' }),
  /** Check the archive (an unsafe one is a 400) and extract it beside itself in the background. */
  extract: (path: string): Promise<ITask> => postAPI<ITask>('files/extract', { path } satisfies IExtractRequest),
  extraction: (id: string): Promise<ITask> => requestAPI<ITask>(taskPath('files/extract', id)),
  cancelExtraction: (id: string): Promise<ITask> =>
    requestAPI<ITask>(taskPath('files/extract', id), { method: 'DELETE' }),
  /** The notebook as a script beside it; 409 when the script exists and `overwrite` is false. */
  exportScript: (path: string, overwrite = false): Promise<IScriptExport> =>
    postAPI<IScriptExport>('files/export-script', { path, overwrite } satisfies IExportScriptRequest)
};
