/** The single typed client of the jlab_platform REST API. */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import { errorText, IPlatformInfo } from './format';

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

export const api = {
  info: (): Promise<IPlatformInfo> => requestAPI<IPlatformInfo>('info'),
  refreshInfo: (): Promise<IPlatformInfo> =>
    requestAPI<IPlatformInfo>('info/refresh', { method: 'POST' })
};
