/** The platform's own REST calls: what the server found (versions, frameworks, GPUs). */
import { requestAPI } from '../api';
import type { IPlatformInfo } from './format';

export const platformApi = {
  info: (): Promise<IPlatformInfo> => requestAPI<IPlatformInfo>('info'),
  /** Detect frameworks and GPUs again (after an install) and answer what was found. */
  refresh: (): Promise<IPlatformInfo> => requestAPI<IPlatformInfo>('info/refresh', { method: 'POST' })
};
