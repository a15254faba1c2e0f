/**
 * A TensorBoard instance's statuses: the one place the TensorBoard UI maps the server's vocabulary
 * (jlab_platform/tensorboard/models.py InstanceStatus).
 */
import type { components } from '../api/schema';

export type InstanceStatus = components['schemas']['TensorBoardInstance']['status'];

/**
 * Whether the Platform panel lists the instance as running: a stopped one (idle time) holds no
 * process and starts again on its next request, so there is nothing to stop.
 */
export function isActive(status: InstanceStatus): boolean {
  switch (status) {
    case 'starting':
    case 'running':
      return true;
    case 'stopped':
      return false;
  }
}
