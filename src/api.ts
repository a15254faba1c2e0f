/** The single typed client of the jlab_platform REST API. */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { errorText, IPlatformInfo, queryString } from './platform/format';
import {
  IFinishJob,
  IJob,
  IJobEnvironment,
  IJobList,
  IJobLogChunk,
  IJobLogQuery,
  IJobMetrics,
  IJobQuery,
  ISubmitJob
} from './jobs/model';
import type { ICluster } from './jobs/cluster';

export const API_NAMESPACE = 'jlab-platform/api';

/** An error answered by the server, with the message that says what to fix. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The request's input the error is about, when the server names one (a form shows it there). */
    readonly field: string | null = null
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function errorField(body: unknown): string | null {
  const field = (body as { field?: unknown } | null)?.field;
  return typeof field === 'string' && field ? field : null;
}

/**
 * `init` with the JupyterLab UI's language (which JupyterLab puts on <html lang>): the server
 * answers errors in it, also when the browser's Accept-Language says another one.
 */
function withLanguage(init: RequestInit): RequestInit {
  const headers = new Headers(init.headers);
  const language = document.documentElement.lang;
  if (language) {
    headers.set('X-Jlab-Platform-Language', language);
  }
  return { ...init, headers };
}

/** Call `/jlab-platform/api/<endPoint>` and return the parsed JSON body. */
export async function requestAPI<T>(endPoint = '', init: RequestInit = {}): Promise<T> {
  const settings = ServerConnection.makeSettings();
  const url = URLExt.join(settings.baseUrl, API_NAMESPACE, endPoint);
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(url, withLanguage(init), settings);
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
    const message = errorText(data, `${response.status} ${response.statusText}`);
    throw new ApiError(response.status, message, errorField(data));
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
  jobCluster: (): Promise<ICluster> => requestAPI<ICluster>('jobs/cluster'),
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

/* Git sync: the workspace repository (src/git/). */
import type {
  GitStatus,
  IGitDiff,
  IGitLog,
  IGitRepoStatus,
  IRollbackResult,
  ISyncResult,
  ResolveChoice
} from './git/model';

export const gitApi = {
  /** Branch, ahead/behind, changed files; `fetch` asks the remote first. */
  status: (fetch = false): Promise<GitStatus> => requestAPI<GitStatus>(`git/status${fetch ? '?fetch=1' : ''}`),
  init: (): Promise<IGitRepoStatus> => post<IGitRepoStatus>('git/init', {}),
  clone: (url: string): Promise<IGitRepoStatus> => post<IGitRepoStatus>('git/clone', { url }),
  sync: (message: string): Promise<ISyncResult> => post<ISyncResult>('git/sync', { message }),
  resolve: (path: string, choice: ResolveChoice): Promise<ISyncResult> =>
    post<ISyncResult>('git/resolve', { path, choice }),
  abort: (): Promise<ISyncResult> => post<ISyncResult>('git/abort', {}),
  log: (limit = 20, path?: string): Promise<IGitLog> => requestAPI<IGitLog>(`git/log${queryString({ limit, path })}`),
  diff: (path: string, commit?: string): Promise<IGitDiff> =>
    requestAPI<IGitDiff>(`git/diff${queryString({ path, commit })}`),
  rollback: (commit: string, path?: string): Promise<IRollbackResult> =>
    post<IRollbackResult>('git/rollback', { commit, path })
};

/* Model conversion and file actions (src/convert/). */
import type { IOnnxRequest, IScriptExport, ITask, ITfliteRequest, IWorkerState } from './convert/model';

function taskPath(base: string, id: string): string {
  return `${base}/${encodeURIComponent(id)}`;
}

export const convertApi = {
  /** Queue a TensorFlow Lite conversion; bad input (a folder that is no SavedModel...) is a 400. */
  tflite: (body: ITfliteRequest): Promise<ITask> => post<ITask>('convert/tflite', body),
  onnx: (body: IOnnxRequest): Promise<ITask> => post<ITask>('convert/onnx', body),
  /** Start the conversion worker ahead of a conversion (idempotent, answers at once). */
  warm: (): Promise<IWorkerState> => post<IWorkerState>('convert/warm', {}),
  conversion: (id: string): Promise<ITask> => requestAPI<ITask>(taskPath('convert', id)),
  cancelConversion: (id: string): Promise<ITask> =>
    requestAPI<ITask>(taskPath('convert', id), { method: 'DELETE' }),
  /** Check the archive (an unsafe one is a 400) and extract it beside itself in the background. */
  extract: (path: string): Promise<ITask> => post<ITask>('files/extract', { path }),
  extraction: (id: string): Promise<ITask> => requestAPI<ITask>(taskPath('files/extract', id)),
  cancelExtraction: (id: string): Promise<ITask> =>
    requestAPI<ITask>(taskPath('files/extract', id), { method: 'DELETE' }),
  /** The notebook as a script beside it; 409 when the script exists and `overwrite` is false. */
  exportScript: (path: string, overwrite = false): Promise<IScriptExport> =>
    post<IScriptExport>('files/export-script', { path, overwrite })
};

// ---- Modules and datasets -------------------------------------------------------------------
// (Type-only import: erased at compile time, so its place at the end changes nothing.)
import type {
  IDatasetDetail,
  IDatasetSummary,
  IModuleDetail,
  IModuleSummary,
  ISnippet,
  ISnippetRequest,
  ItemKind
} from './modules/model';

/** A refused snippet request; `fields` maps each input's name to what to fix in it. */
export class SnippetError extends ApiError {
  constructor(
    status: number,
    message: string,
    readonly fields: Record<string, string>
  ) {
    super(status, message);
    this.name = 'SnippetError';
  }
}

function catalogPath(collection: 'modules' | 'datasets', name: string, ...rest: string[]): string {
  return [collection, encodeURIComponent(name), ...rest].join('/');
}

export const modulesApi = {
  /** `refresh` also forgets cached specs and looks at installed packages again. */
  listModules: async (refresh = false): Promise<IModuleSummary[]> =>
    (await requestAPI<{ modules: IModuleSummary[] }>(`modules${refresh ? '?refresh=1' : ''}`)).modules,
  getModule: (name: string): Promise<IModuleDetail> => requestAPI<IModuleDetail>(catalogPath('modules', name)),
  listDatasets: async (refresh = false): Promise<IDatasetSummary[]> =>
    (await requestAPI<{ datasets: IDatasetSummary[] }>(`datasets${refresh ? '?refresh=1' : ''}`)).datasets,
  getDataset: (name: string): Promise<IDatasetDetail> => requestAPI<IDatasetDetail>(catalogPath('datasets', name)),
  setFavorite: async (kind: ItemKind, name: string, favorite: boolean): Promise<void> => {
    await requestAPI<unknown>(`favorites/${kind}/${encodeURIComponent(name)}`, {
      method: favorite ? 'PUT' : 'DELETE'
    });
  },
  /** The code calling the module; a `SnippetError` with per-field messages when inputs are wrong. */
  snippet: async (name: string, body: ISnippetRequest): Promise<ISnippet> => {
    const settings = ServerConnection.makeSettings();
    const url = URLExt.join(settings.baseUrl, API_NAMESPACE, catalogPath('modules', name, 'snippet'));
    const init = { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } };
    let response: Response;
    try {
      response = await ServerConnection.makeRequest(url, withLanguage(init), settings);
    } catch (error) {
      throw new ServerConnection.NetworkError(error as TypeError);
    }
    const data: unknown = await response.json().catch(() => null);
    if (!response.ok) {
      const fields = (data as { fields?: Record<string, string> } | null)?.fields ?? {};
      throw new SnippetError(response.status, errorText(data, `${response.status} ${response.statusText}`), fields);
    }
    return data as ISnippet;
  }
};

/* Labeling and crowdsourcing: tasks, rounds, invites (src/crowd/). */
import type {
  ICrowdInvite,
  ICrowdLabeler,
  ICrowdLabelAnswer,
  ICrowdRemaining,
  ICrowdSeedModule,
  ICrowdTaskDetail,
  ICrowdTaskList,
  INewCrowdTask
} from './crowd/model';

function crowdPath(id: string, ...rest: string[]): string {
  return ['crowd', 'tasks', encodeURIComponent(id), ...rest.map(encodeURIComponent)].join('/');
}

export const crowdApi = {
  listTasks: (): Promise<ICrowdTaskList> => requestAPI<ICrowdTaskList>('crowd/tasks'),
  getTask: (id: string): Promise<ICrowdTaskDetail> => requestAPI<ICrowdTaskDetail>(crowdPath(id)),
  /** Creates the task and starts its first scoring job; invites for `labelers` come back in `invites`. */
  createTask: (body: INewCrowdTask): Promise<ICrowdTaskDetail & { invites: ICrowdInvite[] }> =>
    post<ICrowdTaskDetail & { invites: ICrowdInvite[] }>('crowd/tasks', body),
  /** `force` starts the next round although labels are missing (a failed round runs again). */
  nextRound: (id: string, force = false): Promise<ICrowdTaskDetail> =>
    post<ICrowdTaskDetail>(crowdPath(id, 'next-round'), { force }),
  finish: (id: string, allowUnlabeled: boolean): Promise<ICrowdTaskDetail> =>
    post<ICrowdTaskDetail>(crowdPath(id, 'finish'), { confirm: true, allow_unlabeled: allowUnlabeled }),
  reopen: (id: string): Promise<ICrowdTaskDetail> => post<ICrowdTaskDetail>(crowdPath(id, 'reopen'), {}),
  invite: (id: string, name: string, expiresHours?: number): Promise<ICrowdInvite> =>
    post<ICrowdInvite>(crowdPath(id, 'invites'), expiresHours ? { name, expires_hours: expiresHours } : { name }),
  revoke: (id: string, labelerId: string): Promise<ICrowdLabeler> =>
    requestAPI<ICrowdLabeler>(crowdPath(id, 'invites', labelerId), { method: 'DELETE' }),
  /** The round's samples that still want labels, most uncertain first. */
  remaining: (id: string, limit = 50): Promise<ICrowdRemaining> =>
    requestAPI<ICrowdRemaining>(`${crowdPath(id, 'remaining')}?limit=${limit}`),
  /** The owner labels one of them (`requestId`: a retried click is not counted twice). */
  labelRemaining: (id: string, sampleId: string, label: string, requestId: string): Promise<ICrowdLabelAnswer> =>
    post<ICrowdLabelAnswer>(crowdPath(id, 'remaining'), { sample_id: sampleId, label, request_id: requestId }),
  /** One selected sample's image, fetched with the login (an <img> URL would not carry a token). */
  sampleImage: async (id: string, sampleId: string): Promise<Blob> => {
    const settings = ServerConnection.makeSettings();
    const url = URLExt.join(settings.baseUrl, API_NAMESPACE, crowdPath(id, 'samples', sampleId, 'image'));
    const response = await ServerConnection.makeRequest(url, withLanguage({}), settings);
    if (!response.ok) {
      throw new ApiError(response.status, `${response.status} ${response.statusText}`);
    }
    return response.blob();
  },
  /** The workspace's folders in the seed's module format. */
  seedModules: async (): Promise<ICrowdSeedModule[]> =>
    (await requestAPI<{ modules: ICrowdSeedModule[] }>('crowd/seed-modules')).modules,
  /** The URL that downloads every label with its labeler (a plain GET: the login cookie authenticates it). */
  labelsDownloadUrl: (id: string): string =>
    URLExt.join(ServerConnection.makeSettings().baseUrl, API_NAMESPACE, crowdPath(id, 'labels')) + '?download=1'
};

/** A captured cell's output as `GET /outputs` lists it. */
export interface ICapture {
  name: string;
  notebook: string | null;
  cell_id: string | null;
  kernel_id: string | null;
  source: string;
  /** `incomplete`: the kernel died, was restarted or stopped before the cell finished. */
  state: 'running' | 'finished' | 'failed' | 'incomplete';
  reason: string | null;
  started_at: string;
  finished_at: string | null;
  updated_at: string | null;
  size: number;
}

export interface ICaptureList {
  directory: string;
  captures: ICapture[];
  total: number;
}

/** One capture with its outputs as nbformat output dicts, and what could not be restored. */
export interface ICaptureDetail extends ICapture {
  outputs: Record<string, unknown>[];
  notes: string[];
}

function capturePath(name: string): string {
  return `outputs/${encodeURIComponent(name)}`;
}

export const captureApi = {
  list: (query: { notebook?: string; limit?: number } = {}): Promise<ICaptureList> =>
    requestAPI<ICaptureList>(`outputs${queryString({ ...query })}`),
  get: (name: string): Promise<ICaptureDetail> => requestAPI<ICaptureDetail>(capturePath(name)),
  remove: async (name: string): Promise<void> => {
    await requestAPI<null>(capturePath(name), { method: 'DELETE' });
  }
};
