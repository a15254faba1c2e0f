/** The evaluation REST calls: start one, follow it, page its samples, fetch images and downloads. */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API_NAMESPACE, ApiError, requestAPI } from '../api';
import { queryString } from '../platform/format';

import type { components } from '../api/schema';

type Schemas = components['schemas'];
export type Analysis = Schemas['Analysis'];
export type ClassFigures = Schemas['ClassFigures'];
export type EvaluationSummary = Schemas['EvaluationSummary'];
export type EvaluationStarted = Schemas['EvaluationStarted'];
export type EvaluationStatus = EvaluationSummary['status'];
export type TrainingRun = Schemas['TrainingRun'];
export type Sample = Schemas['SampleView'];
export type SamplePage = Schemas['SamplePage'];

export interface ISampleQuery {
  class?: number;
  predicted?: number;
  kind?: Sample['kind'] | 'all';
  offset?: number;
  limit?: number;
}

function evaluationPath(id: string, ...rest: string[]): string {
  return ['evaluations', encodeURIComponent(id), ...rest].join('/');
}

function apiUrl(path: string): string {
  return URLExt.join(ServerConnection.makeSettings().baseUrl, API_NAMESPACE, path);
}

export const evaluationApi = {
  start: (run: string, data: string): Promise<EvaluationStarted> =>
    requestAPI<EvaluationStarted>('evaluations', {
      method: 'POST',
      body: JSON.stringify({ run, data }),
      headers: { 'Content-Type': 'application/json' }
    }),
  get: (id: string): Promise<EvaluationSummary> => requestAPI<EvaluationSummary>(evaluationPath(id)),
  runs: async (query: { module?: string; job?: string }): Promise<TrainingRun[]> =>
    (await requestAPI<Schemas['TrainingRunList']>(`evaluations/runs${queryString({ ...query })}`)).runs,
  samples: (id: string, query: ISampleQuery): Promise<SamplePage> =>
    requestAPI<SamplePage>(`${evaluationPath(id, 'samples')}${queryString({ ...query })}`),
  /** A sample's image (or thumbnail) as a blob: fetched with the login, which an <img> URL would not carry. */
  image: async (id: string, sample: number, thumb: boolean): Promise<Blob> => {
    const settings = ServerConnection.makeSettings();
    const url = apiUrl(evaluationPath(id, 'samples', String(sample), 'image')) + (thumb ? '?thumb=1' : '');
    const response = await ServerConnection.makeRequest(url, {}, settings);
    if (!response.ok) {
      throw new ApiError(response.status, `${response.status} ${response.statusText}`);
    }
    return response.blob();
  },
  /** The URL that downloads these samples: one image, or a zip of several (the login cookie authenticates it). */
  downloadUrl: (id: string, samples: number[]): string =>
    apiUrl(evaluationPath(id, 'download')) + `?samples=${samples.join(',')}`
};
