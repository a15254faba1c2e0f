/** The evaluation REST calls: start one, follow it, page its samples, fetch images and downloads. */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { API_NAMESPACE, ApiError, requestAPI } from '../api';
import { queryString } from '../platform/format';

export type EvaluationStatus = 'submitted' | 'running' | 'complete' | 'failed';
export type SampleKind = 'correct' | 'misclassified' | 'noncompliant';

/**
 * The models as `jlab_platform/evaluation/models.py` declares them. Written here until the
 * generated schema (src/api/schema.ts) carries them.
 */
export interface IFigures {
  precision: number;
  recall: number;
  f1: number;
  iou: number;
}

export interface IOverall extends IFigures {
  accuracy: number;
  weighted: Record<string, number>;
  samples: number;
  evaluated: number;
  misclassified: number;
  noncompliant: number;
  units: 'samples' | 'pixels';
}

export interface IClassFigures extends IFigures {
  name: string;
  support: number;
  predicted: number;
  /** In the truth or the predictions: absent classes are left out of the means. */
  present: boolean;
  samples: number;
  misclassified: number;
  noncompliant: number;
}

export interface IAnalysis {
  id: string;
  run: string;
  data: string;
  module: string;
  task: 'classification' | 'segmentation';
  classes: string[];
  overall: IOverall;
  per_class: IClassFigures[];
  /** Rows: true class, columns: predicted class. */
  confusion_matrix: number[][];
}

export interface IEvaluationSummary {
  id: string;
  run: string;
  module: string;
  data: string;
  status: EvaluationStatus;
  job_id: string | null;
  error: string | null;
  created_at: string | null;
  finished_at: string | null;
  folder: string;
  analysis: IAnalysis | null;
}

export interface ITrainingRun {
  run: string;
  module: string;
  status: string;
  started_at: string | null;
  finished_at: string | null;
  job_id: string | null;
  has_split: boolean;
  evaluations: IEvaluationSummary[];
}

export interface ISample {
  id: number;
  name: string;
  path: string;
  true_label: string;
  predicted_label: string | null;
  confidence: number | null;
  kind: SampleKind;
  reason: string | null;
}

export interface ISamplePage {
  total: number;
  offset: number;
  limit: number;
  samples: ISample[];
}

export interface ISampleQuery {
  class?: number;
  predicted?: number;
  kind?: SampleKind | 'all';
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
  start: (run: string, data: string): Promise<{ id: string; job_id: string }> =>
    requestAPI<{ id: string; job_id: string }>('evaluations', {
      method: 'POST',
      body: JSON.stringify({ run, data }),
      headers: { 'Content-Type': 'application/json' }
    }),
  get: (id: string): Promise<IEvaluationSummary> => requestAPI<IEvaluationSummary>(evaluationPath(id)),
  runs: async (query: { module?: string; job?: string }): Promise<ITrainingRun[]> =>
    (await requestAPI<{ runs: ITrainingRun[] }>(`evaluations/runs${queryString({ ...query })}`)).runs,
  samples: (id: string, query: ISampleQuery): Promise<ISamplePage> =>
    requestAPI<ISamplePage>(`${evaluationPath(id, 'samples')}${queryString({ ...query })}`),
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
