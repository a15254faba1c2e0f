/** The TensorBoard REST calls: start (or reuse) an instance for a folder, list them, stop one. */
import { requestAPI } from '../api';
import type { components } from '../api/schema';

/**
 * An instance: `url` is relative to the server's base URL; `status` "stopped" after its idle time
 * (a request to its url starts it again); times are ISO 8601, `started_at` null while stopped.
 */
export type ITensorBoard = components['schemas']['TensorBoardInstance'];
type ITensorBoardList = components['schemas']['TensorBoardList'];
type IStartTensorBoard = components['schemas']['StartTensorBoard'];

export const tensorboardApi = {
  /**
   * Start TensorBoard for `logdir`, or reuse the one running for it (started again if it died);
   * answers once it serves, or with the error that says why it could not start.
   */
  start: (logdir: string): Promise<ITensorBoard> => {
    const body: IStartTensorBoard = { logdir };
    return requestAPI<ITensorBoard>('tensorboard', {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'Content-Type': 'application/json' }
    });
  },
  /** Every instance this server knows, stopped ones included; Stop forgets one. */
  list: async (): Promise<ITensorBoard[]> => (await requestAPI<ITensorBoardList>('tensorboard')).instances,
  stop: async (id: string): Promise<void> => {
    await requestAPI<null>(`tensorboard/${encodeURIComponent(id)}`, { method: 'DELETE' });
  }
};
