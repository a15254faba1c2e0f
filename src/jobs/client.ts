/** The jobs REST calls: list, submit and follow jobs, their logs and metrics, and where they run. */
import { apiUrl, postAPI, requestAPI } from '../api';
import { queryString } from '../platform/format';
import type {
  ICluster,
  IFinishJob,
  IJob,
  IJobEnvironment,
  IJobEnvironments,
  IJobList,
  IJobLogChunk,
  IJobLogQuery,
  IJobMetrics,
  IJobQuery,
  ISubmitJob
} from './model';

function jobPath(id: string, ...rest: string[]): string {
  return ['jobs', encodeURIComponent(id), ...rest].join('/');
}

export const jobsApi = {
  list: (query: IJobQuery = {}): Promise<IJobList> => requestAPI<IJobList>(`jobs${queryString({ ...query })}`),
  get: (id: string): Promise<IJob> => requestAPI<IJob>(jobPath(id)),
  submit: (body: ISubmitJob): Promise<IJob> => postAPI<IJob>('jobs', body),
  cluster: (): Promise<ICluster> => requestAPI<ICluster>('jobs/cluster'),
  environments: async (): Promise<IJobEnvironment[]> =>
    (await requestAPI<IJobEnvironments>('jobs/environments')).environments,
  /** A chunk of the log; `wait` > 0 long-polls, `signal` cancels it. */
  log: (id: string, query: IJobLogQuery, signal?: AbortSignal): Promise<IJobLogChunk> =>
    requestAPI<IJobLogChunk>(`${jobPath(id, 'log')}${queryString({ ...query })}`, { signal }),
  metrics: (id: string): Promise<IJobMetrics> => requestAPI<IJobMetrics>(jobPath(id, 'metrics')),
  terminate: (id: string): Promise<IJob> => postAPI<IJob>(jobPath(id, 'terminate')),
  restart: (id: string): Promise<IJob> => postAPI<IJob>(jobPath(id, 'restart')),
  finish: (id: string, body: IFinishJob): Promise<IJob> => postAPI<IJob>(jobPath(id, 'finish'), body),
  remove: async (id: string): Promise<void> => {
    await requestAPI<null>(jobPath(id), { method: 'DELETE' });
  },
  /** The URL that downloads the whole log (a plain GET: the login cookie authenticates it). */
  logDownloadUrl: (id: string): string => apiUrl(jobPath(id, 'log')) + '?download=1'
};
