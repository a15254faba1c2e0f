/**
 * The model library REST calls (`/models`): models, their trainings, versions, aliases, batch
 * predictions and exports; and whether a deployment service answers (for "Deploy").
 */
import { ServerConnection } from '@jupyterlab/services';

import { ApiError, apiUrl, postAPI, requestAPI } from '../api';
import type { components } from '../api/schema';
import { errorText, queryString } from '../platform/format';

type Schemas = components['schemas'];
export type IModelSummary = Schemas['ModelSummary'];
export type IModel = Schemas['Model'];
export type ITraining = Schemas['Training'];
export type IVersion = Schemas['Version'];
export type IAlias = Schemas['Alias'];
export type IAliasList = Schemas['AliasList'];
export type IBatchPrediction = Schemas['BatchPrediction'];
export type IDataPathCheck = Schemas['DataPathCheck'];
export type INewModel = Schemas['NewModel'];
export type IStartTraining = Schemas['StartTraining'];
export type TrainingState = ITraining['state'];
export type PredictionState = IBatchPrediction['state'];
export type ExportFormat = NonNullable<Schemas['ExportQuery']['format']>;
export type Environment = ITraining['env'];

const enc = encodeURIComponent;

function modelPath(name: string, ...rest: string[]): string {
  return ['models', enc(name), ...rest.map(part => enc(part))].join('/');
}

/** A file the server sends as a download, with the name it gives it. */
export interface IDownload {
  blob: Blob;
  filename: string;
}

function attachmentName(response: Response, fallback: string): string {
  const header = response.headers.get('Content-Disposition') ?? '';
  const encoded = /filename\*=UTF-8''([^;]+)/i.exec(header);
  if (encoded) {
    return decodeURIComponent(encoded[1]);
  }
  return /filename="?([^";]+)"?/i.exec(header)?.[1] ?? fallback;
}

export const modelsApi = {
  list: async (): Promise<IModelSummary[]> => (await requestAPI<Schemas['ModelList']>('models')).models,
  get: (name: string): Promise<IModel> => requestAPI<IModel>(modelPath(name)),
  /** Create a model; its first training starts at once (`train` false: later). */
  create: (body: INewModel): Promise<IModel> => postAPI<IModel>('models', body),
  remove: async (name: string): Promise<void> => {
    await requestAPI<null>(modelPath(name), { method: 'DELETE' });
  },
  /** Whether a folder holds images, how many, in which class folders (the dialog's path list). */
  checkPath: (path: string, signal?: AbortSignal): Promise<IDataPathCheck> =>
    requestAPI<IDataPathCheck>(`models/data-paths/check${queryString({ path })}`, { signal }),

  trainings: async (name: string): Promise<ITraining[]> =>
    (await requestAPI<Schemas['TrainingList']>(modelPath(name, 'trainings'))).trainings,
  /** A new training task (`from_version`: retrain that version with added paths and changed parameters). */
  train: (name: string, body: IStartTraining): Promise<ITraining> =>
    postAPI<ITraining>(modelPath(name, 'trainings'), body),
  terminate: (name: string, id: string): Promise<ITraining> =>
    postAPI<ITraining>(modelPath(name, 'trainings', id, 'terminate')),
  /** Start a terminated or failed training again, as a new job. */
  startAgain: (name: string, id: string): Promise<ITraining> =>
    postAPI<ITraining>(modelPath(name, 'trainings', id, 'start')),
  removeTraining: async (name: string, id: string): Promise<void> => {
    await requestAPI<null>(modelPath(name, 'trainings', id), { method: 'DELETE' });
  },
  /** The training a job runs, or null when the job trains no model (the job view's Publish). */
  trainingOfJob: async (jobId: string): Promise<ITraining | null> =>
    (await requestAPI<Schemas['TrainingList']>(`models/trainings${queryString({ job_id: jobId })}`)).trainings[0] ??
    null,

  versions: async (name: string): Promise<IVersion[]> =>
    (await requestAPI<Schemas['VersionList']>(modelPath(name, 'versions'))).versions,
  /** Publish a completed training as the next version (a second publish is refused). */
  publish: (name: string, trainingId: string): Promise<IVersion> =>
    postAPI<IVersion>(modelPath(name, 'versions'), { training_id: trainingId }),

  aliases: (name: string): Promise<IAliasList> => requestAPI<IAliasList>(modelPath(name, 'aliases')),
  setAlias: (name: string, alias: string, version: string): Promise<IAlias> =>
    requestAPI<IAlias>(modelPath(name, 'aliases', alias), {
      method: 'PUT',
      body: JSON.stringify({ version }),
      headers: { 'Content-Type': 'application/json' }
    }),
  removeAlias: async (name: string, alias: string): Promise<void> => {
    await requestAPI<null>(modelPath(name, 'aliases', alias), { method: 'DELETE' });
  },

  predictions: async (name: string, version: string): Promise<IBatchPrediction[]> =>
    (await requestAPI<Schemas['BatchPredictionList']>(modelPath(name, 'versions', version, 'batch-predictions')))
      .predictions,
  predict: (name: string, version: string, dataPath: string, env: Environment): Promise<IBatchPrediction> =>
    postAPI<IBatchPrediction>(modelPath(name, 'versions', version, 'batch-predictions'), {
      data_path: dataPath,
      env
    }),

  /** The version as a file (converted on the server); fetched with the login, errors as ApiError. */
  export: async (name: string, version: string, format: ExportFormat): Promise<IDownload> => {
    const url = apiUrl(modelPath(name, 'versions', version, 'export')) + queryString({ format });
    const response = await ServerConnection.makeRequest(url, {}, ServerConnection.makeSettings());
    if (!response.ok) {
      let body: unknown = null;
      try {
        body = await response.json();
      } catch {
        // not JSON: the status line says it
      }
      throw new ApiError(response.status, errorText(body, `${response.status} ${response.statusText}`));
    }
    return { blob: await response.blob(), filename: attachmentName(response, `${name}-${version}.${format}`) };
  },

  /** Whether the deployment service exists on this server (its list answers). */
  canDeploy: async (): Promise<boolean> => {
    try {
      await requestAPI<unknown>('deployments');
      return true;
    } catch {
      return false;
    }
  }
};
