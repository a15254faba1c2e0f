/** The labeling (crowd) REST calls: tasks, rounds, invites, the owner's own labels and the results. */
import { apiUrl, postAPI, requestAPI, requestBlob } from '../api';
import type { components } from '../api/schema';
import type {
  ICrowdCreated,
  ICrowdInvite,
  ICrowdLabelAnswer,
  ICrowdLabeler,
  ICrowdRemaining,
  ICrowdSeedModule,
  ICrowdTaskDetail,
  ICrowdTaskList,
  INewCrowdTask
} from './model';

type Schemas = components['schemas'];

function crowdPath(id: string, ...rest: string[]): string {
  return ['crowd', 'tasks', encodeURIComponent(id), ...rest.map(encodeURIComponent)].join('/');
}

export const crowdApi = {
  listTasks: (): Promise<ICrowdTaskList> => requestAPI<ICrowdTaskList>('crowd/tasks'),
  getTask: (id: string): Promise<ICrowdTaskDetail> => requestAPI<ICrowdTaskDetail>(crowdPath(id)),
  /** Creates the task and starts its first scoring job; invites for `labelers` come back in `invites`. */
  createTask: (body: INewCrowdTask): Promise<ICrowdCreated> => postAPI<ICrowdCreated>('crowd/tasks', body),
  /** `force` starts the next round although labels are missing (a failed round runs again). */
  nextRound: (id: string, force = false): Promise<ICrowdTaskDetail> =>
    postAPI<ICrowdTaskDetail>(crowdPath(id, 'next-round'), { force } satisfies Schemas['NextRoundRequest']),
  finish: (id: string, allowUnlabeled: boolean): Promise<ICrowdTaskDetail> =>
    postAPI<ICrowdTaskDetail>(crowdPath(id, 'finish'), {
      confirm: true,
      allow_unlabeled: allowUnlabeled
    } satisfies Schemas['FinishRequest']),
  reopen: (id: string): Promise<ICrowdTaskDetail> => postAPI<ICrowdTaskDetail>(crowdPath(id, 'reopen'), {}),
  invite: (id: string, name: string, expiresHours?: number): Promise<ICrowdInvite> =>
    postAPI<ICrowdInvite>(
      crowdPath(id, 'invites'),
      (expiresHours ? { name, expires_hours: expiresHours } : { name }) satisfies Schemas['InviteRequest']
    ),
  revoke: (id: string, labelerId: string): Promise<ICrowdLabeler> =>
    requestAPI<ICrowdLabeler>(crowdPath(id, 'invites', labelerId), { method: 'DELETE' }),
  /** The round's samples that still want labels, most uncertain first. */
  remaining: (id: string, limit = 50): Promise<ICrowdRemaining> =>
    requestAPI<ICrowdRemaining>(`${crowdPath(id, 'remaining')}?limit=${limit}`),
  /** The owner labels one of them (`requestId`: a retried click is not counted twice). */
  labelRemaining: (id: string, sampleId: string, label: string, requestId: string): Promise<ICrowdLabelAnswer> =>
    postAPI<ICrowdLabelAnswer>(crowdPath(id, 'remaining'), {
      sample_id: sampleId,
      label,
      request_id: requestId
    } satisfies Schemas['OwnerSubmission']),
  /** One selected sample's image, fetched with the login (an <img> URL would not carry a token). */
  sampleImage: (id: string, sampleId: string): Promise<Blob> =>
    requestBlob(crowdPath(id, 'samples', sampleId, 'image')),
  /** The workspace's folders in the seed's module format. */
  seedModules: async (): Promise<ICrowdSeedModule[]> =>
    (await requestAPI<{ modules: ICrowdSeedModule[] }>('crowd/seed-modules')).modules,
  /** The URL that downloads every label with its labeler (a plain GET: the login cookie authenticates it). */
  labelsDownloadUrl: (id: string): string => apiUrl(crowdPath(id, 'labels')) + '?download=1'
};
