/** The Git sync REST calls: the workspace repository's status, sync, conflicts, history and rollback. */
import { postAPI, requestAPI } from '../api';
import type { components, operations } from '../api/schema';
import { queryString } from '../platform/format';
import type { GitStatus, IGitDiff, IGitLog, IRollbackResult, ISyncResult, ResolveChoice } from './model';

type Schemas = components['schemas'];
type LogQuery = NonNullable<operations['getGitLog']['parameters']['query']>;

export const gitApi = {
  /** Branch, ahead/behind, changed files; `fetch` asks the remote first. */
  status: (fetch = false): Promise<GitStatus> => requestAPI<GitStatus>(`git/status${fetch ? '?fetch=1' : ''}`),
  init: (): Promise<GitStatus> => postAPI<GitStatus>('git/init', {}),
  clone: (url: string): Promise<GitStatus> =>
    postAPI<GitStatus>('git/clone', { url } satisfies Schemas['CloneRequest']),
  sync: (message: string): Promise<ISyncResult> =>
    postAPI<ISyncResult>('git/sync', { message } satisfies Schemas['SyncRequest']),
  resolve: (path: string, choice: ResolveChoice): Promise<ISyncResult> =>
    postAPI<ISyncResult>('git/resolve', { path, choice } satisfies Schemas['ResolveRequest']),
  abort: (): Promise<ISyncResult> => postAPI<ISyncResult>('git/abort', {}),
  log: (limit = 20, path?: string): Promise<IGitLog> =>
    requestAPI<IGitLog>(`git/log${queryString({ limit, path } satisfies LogQuery)}`),
  diff: (path: string, commit?: string): Promise<IGitDiff> =>
    requestAPI<IGitDiff>(`git/diff${queryString({ path, commit })}`),
  rollback: (commit: string, path?: string): Promise<IRollbackResult> =>
    postAPI<IRollbackResult>('git/rollback', { commit, path } satisfies Schemas['RollbackRequest'])
};
