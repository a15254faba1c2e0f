/**
 * The deployments REST calls (`/jlab-platform/api/deployments`) and a deployed service's own
 * routes through the server's proxy (`/jlab-platform/deployments/<name>/...`, under Jupyter's login,
 * no API key).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { apiUrl, ApiError, postAPI, requestAPI } from '../api';
import type { components } from '../api/schema';
import { errorText, queryString } from '../platform/format';

type Schemas = components['schemas'];
export type IDeployment = Schemas['Deployment'];
export type IDeploymentCreated = Schemas['DeploymentCreated'];
export type IDeploymentPreview = Schemas['DeploymentPreview'];
export type IIOField = Schemas['IOField'];
export type INewKey = Schemas['NewKey'];
export type IKeyInfo = Schemas['KeyInfo'];
/** The fields left out get the server's defaults. */
export type ICreateDeployment = Schemas['CreateDeployment'];
type ILogChunk = Schemas['LogChunk'];

function deploymentPath(name: string, ...rest: string[]): string {
  return ['deployments', encodeURIComponent(name), ...rest].join('/');
}

/** What the service answered through the proxy, and how long the round trip took. */
export interface IServiceAnswer {
  status: number;
  body: unknown;
  ms: number;
}

export const deployApi = {
  /** The deployment each name points to, newest first. */
  list: async (): Promise<IDeployment[]> => (await requestAPI<Schemas['DeploymentList']>('deployments')).deployments,
  get: (name: string): Promise<IDeployment> => requestAPI<IDeployment>(deploymentPath(name)),
  /** Every deployment of `name`, newest first: what Rollback offers. */
  history: async (name: string): Promise<IDeployment[]> =>
    (await requestAPI<Schemas['DeploymentHistory']>(deploymentPath(name, 'history'))).deployments,
  /** What deploying `source` would give: kind, checkpoints, inputs/outputs, the workspace's commit. */
  preview: (source: string): Promise<IDeploymentPreview> =>
    requestAPI<IDeploymentPreview>(`deployments/preview${queryString({ source })}`),
  /** The answer carries the API key: the only time it is ever shown. */
  create: (body: ICreateDeployment): Promise<IDeploymentCreated> => postAPI<IDeploymentCreated>('deployments', body),
  stop: (name: string): Promise<IDeployment> => postAPI<IDeployment>(deploymentPath(name, 'stop')),
  start: (name: string): Promise<IDeployment> => postAPI<IDeployment>(deploymentPath(name, 'start')),
  rollback: (name: string, to: string): Promise<IDeployment> =>
    postAPI<IDeployment>(deploymentPath(name, 'rollback'), { to } satisfies Schemas['Rollback']),
  newKey: (name: string): Promise<INewKey> => postAPI<INewKey>(deploymentPath(name, 'keys')),
  /** The service refuses the key at once (it re-reads its keys file). */
  revokeKey: async (name: string, id: string): Promise<void> => {
    await requestAPI<null>(deploymentPath(name, 'keys', encodeURIComponent(id)), { method: 'DELETE' });
  },
  remove: async (name: string): Promise<void> => {
    await requestAPI<null>(deploymentPath(name), { method: 'DELETE' });
  },
  log: (name: string, offset: number, signal?: AbortSignal): Promise<ILogChunk> =>
    requestAPI<ILogChunk>(`${deploymentPath(name, 'log')}${queryString({ offset })}`, { signal }),
  /** Plain GETs: the login cookie authenticates them; the server names the files. */
  logDownloadUrl: (name: string): string => apiUrl(deploymentPath(name, 'log')) + '?download=true',
  exportUrl: (name: string): string => apiUrl(deploymentPath(name, 'export'))
};

/** The browser URL of a service route through the proxy: `proxyUrl` is relative to the server's root. */
export function proxiedUrl(proxyUrl: string, route: string): string {
  return URLExt.join(ServerConnection.makeSettings().baseUrl, proxyUrl, route);
}

/** POST `body` to the service's `route` through the proxy; a non-2xx answer is returned, not thrown. */
export async function callService(proxyUrl: string, route: string, body: unknown): Promise<IServiceAnswer> {
  const settings = ServerConnection.makeSettings();
  const started = performance.now();
  let response: Response;
  try {
    response = await ServerConnection.makeRequest(
      proxiedUrl(proxyUrl, route),
      { method: 'POST', body: JSON.stringify(body), headers: { 'Content-Type': 'application/json' } },
      settings
    );
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
  const text = await response.text();
  const ms = performance.now() - started;
  let parsed: unknown = text;
  try {
    parsed = JSON.parse(text);
  } catch {
    // A plain-text answer (the proxy's own error page) is shown as it is.
  }
  if (response.status === 403 || response.status === 404 || response.status === 502) {
    // The proxy's own refusals (login, unknown name, service down) say what to fix in its error body.
    throw new ApiError(response.status, errorText(parsed, `${response.status} ${response.statusText}`));
  }
  return { status: response.status, body: parsed, ms };
}
