/** The captured-outputs REST calls: list the captures, fetch one with its outputs, delete one. */
import { requestAPI } from '../api';
import type { components, operations } from '../api/schema';
import { queryString } from '../platform/format';

type Schemas = components['schemas'];

/** A captured cell's output as `GET /outputs` lists it; `incomplete`: the kernel died or stopped first. */
export type ICapture = Schemas['CaptureSummary'];
export type ICaptureList = Schemas['CaptureList'];
/** One capture with its outputs as nbformat output dicts, and what could not be restored. */
export type ICaptureDetail = Schemas['Capture'];
type CaptureQuery = NonNullable<operations['getOutputs']['parameters']['query']>;

function capturePath(name: string): string {
  return `outputs/${encodeURIComponent(name)}`;
}

export const captureApi = {
  list: (query: CaptureQuery = {}): Promise<ICaptureList> =>
    requestAPI<ICaptureList>(`outputs${queryString({ ...query })}`),
  get: (name: string): Promise<ICaptureDetail> => requestAPI<ICaptureDetail>(capturePath(name)),
  remove: async (name: string): Promise<void> => {
    await requestAPI<null>(capturePath(name), { method: 'DELETE' });
  }
};
