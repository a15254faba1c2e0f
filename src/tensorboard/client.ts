/** The TensorBoard REST calls: start (or reuse) an instance for a folder, list them, stop one. */
import { requestAPI } from '../api';

/**
 * An instance as the server describes it. Written here until the generated schema
 * (src/api/schema.ts) carries the TensorBoard models.
 */
export interface ITensorBoard {
  id: string;
  /** The log folder, relative to the workspace root. */
  logdir: string;
  /** The proxied path, relative to the server's base URL: `/jlab-platform/tensorboard/<id>/`. */
  url: string;
  /** stopped: after its idle time (a request to its url starts it again). */
  status: 'starting' | 'running' | 'stopped';
  /** ISO 8601; null while stopped. */
  started_at: string | null;
  last_used_at: string | null;
}

export interface ITensorBoardList {
  instances: ITensorBoard[];
}

export const tensorboardApi = {
  /**
   * Start TensorBoard for `logdir`, or reuse the one running for it (started again if it died);
   * answers once it serves, or with the error that says why it could not start.
   */
  start: (logdir: string): Promise<ITensorBoard> =>
    requestAPI<ITensorBoard>('tensorboard', {
      method: 'POST',
      body: JSON.stringify({ logdir }),
      headers: { 'Content-Type': 'application/json' }
    }),
  /** Every instance this server knows, stopped ones included; Stop forgets one. */
  list: async (): Promise<ITensorBoard[]> => (await requestAPI<ITensorBoardList>('tensorboard')).instances,
  stop: async (id: string): Promise<void> => {
    await requestAPI<null>(`tensorboard/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }
};
