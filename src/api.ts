/** The single typed client of the jlab_platform REST API. */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { errorText, IPlatformInfo } from './format';
import {
  IFinishJob,
  IJob,
  IJobEnvironment,
  IJobList,
  IJobLogChunk,
  IJobLogQuery,
  IJobMetrics,
  IJobQuery,
  ISubmitJob,
  queryString
} from './jobs/model';

export const API_NAMESPACE = 'jlab-platform/api';

/** An error answered by the server, with the message that says what to fix. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

/** Call `/jlab-platform/api/<endPoint>` and return the parsed JSON body. */
export async function requestAPI<T>(endPoint = '', init: RequestInit = {}): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, endPoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, init, settings);
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  const text = await response.text();
  let data: unknown = null;
  if (text.length > 0) {
    try {
      data = JSON.parse(text);
    } catch {
      data = text;
    }
  }
  if (!response.ok) {
    throw new ApiError(response.status, errorText(data, `${response.status} ${response.statusText}`));
  }
  return data as T;
}

function post<T>(endPoint: string, body?: object): Promise<T> {
  return requestAPI<T>(endPoint, {
    method: 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' }
  });
}

function jobPath(id: string, ...rest: string[]): string {
  return ['jobs', encodeURIComponent(id), ...rest].join('/');
}

export const api = {
  info: (): Promise<IPlatformInfo> => requestAPI<IPlatformInfo>('info'),
  refreshInfo: (): Promise<IPlatformInfo> =>
    requestAPI<IPlatformInfo>('info/refresh', { method: 'POST' }),

  listJobs: (query: IJobQuery = {}): Promise<IJobList> =>
    requestAPI<IJobList>(`jobs${queryString({ ...query })}`),
  getJob: (id: string): Promise<IJob> => requestAPI<IJob>(jobPath(id)),
  submitJob: (body: ISubmitJob): Promise<IJob> => post<IJob>('jobs', body),
  jobEnvironments: async (): Promise<IJobEnvironment[]> =>
    (await requestAPI<{ environments: IJobEnvironment[] }>('jobs/environments')).environments,
  /** A chunk of the log; `wait` > 0 long-polls, `signal` cancels it. */
  jobLog: (id: string, query: IJobLogQuery, signal?: AbortSignal): Promise<IJobLogChunk> =>
    requestAPI<IJobLogChunk>(`${jobPath(id, 'log')}${queryString({ ...query })}`, { signal }),
  jobMetrics: (id: string): Promise<IJobMetrics> => requestAPI<IJobMetrics>(jobPath(id, 'metrics')),
  terminateJob: (id: string): Promise<IJob> => post<IJob>(jobPath(id, 'terminate')),
  restartJob: (id: string): Promise<IJob> => post<IJob>(jobPath(id, 'restart')),
  finishJob: (id: string, body: IFinishJob): Promise<IJob> => post<IJob>(jobPath(id, 'finish'), body),
  deleteJob: async (id: string): Promise<void> => {
    await requestAPI<null>(jobPath(id), { method: 'DELETE' });
  },
  /** The URL that downloads the whole log (a plain GET: the login cookie authenticates it). */
  jobLogDownloadUrl: (id: string): string =>
    URLExt.join(ServerConnection.makeSettings().baseUrl, API_NAMESPACE, 'jobs', encodeURIComponent(id), 'log') +
    '?download=1'
};
