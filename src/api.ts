/**
 * The shared core of the jlab_platform REST client: `requestAPI` and the error it throws.
 * Each feature's calls live in its own `src/<feature>/client.ts` over these, with the types
 * generated from the server's models (src/api/schema.ts).
 */
import { URLExt } from '@jupyterlab/coreutils';
import { ServerConnection } from '@jupyterlab/services';

import type { components } from './api/schema';
import { errorText } from './platform/format';

export const API_NAMESPACE = 'jlab-platform/api';

type ErrorBody = components['schemas']['ErrorBody'];

/** An error answered by the server, with the message that says what to fix. */
export class ApiError extends Error {
  constructor(
    readonly status: number,
    message: string,
    /** The request's input the error is about, when the server names one (a form shows it there). */
    readonly field: string | null = null,
    /** Every invalid input of the request and what to fix in it (a 400 of a declared model). */
    readonly fields: Record<string, string> = {}
  ) {
    super(message);
    this.name = 'ApiError';
  }
}

function errorFields(body: unknown): Pick<ErrorBody, 'field' | 'fields'> {
  const { field, fields } = (body ?? {}) as Partial<ErrorBody>;
  return {
    field: typeof field === 'string' && field ? field : null,
    fields: fields && typeof fields === 'object' ? fields : null
  };
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

/** The browser URL of `/jlab-platform/api/<endPoint>`. */
export function apiUrl(endPoint: string): string {
  return URLExt.join(ServerConnection.makeSettings().baseUrl, API_NAMESPACE, endPoint);
}

async function send(endPoint: string, init: RequestInit): Promise<Response> {
  try {
    return await ServerConnection.makeRequest(apiUrl(endPoint), withLanguage(init), ServerConnection.makeSettings());
  } catch (error) {
    throw new ServerConnection.NetworkError(error as TypeError);
  }
}

/** Call `/jlab-platform/api/<endPoint>` and return the parsed JSON body. */
export async function requestAPI<T>(endPoint = '', init: RequestInit = {}): Promise<T> {
  const response = await send(endPoint, init);
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
    const { field, fields } = errorFields(data);
    throw new ApiError(response.status, message, field, fields ?? {});
  }
  return data as T;
}

/** POST `body` as JSON (none when undefined) and return the parsed answer. */
export function postAPI<T>(endPoint: string, body?: object): Promise<T> {
  return requestAPI<T>(endPoint, {
    method: 'POST',
    body: body === undefined ? undefined : JSON.stringify(body),
    headers: { 'Content-Type': 'application/json' }
  });
}

/** A binary answer (an image) as a blob: fetched with the login, which an <img> URL would not carry. */
export async function requestBlob(endPoint: string): Promise<Blob> {
  const response = await send(endPoint, {});
  if (!response.ok) {
    throw new ApiError(response.status, `${response.status} ${response.statusText}`);
  }
  return response.blob();
}
