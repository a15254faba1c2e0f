/** Labeling tasks as the server describes them, and small pure helpers about them. */
import type { components } from '../api/schema';

type Schemas = components['schemas'];

/** The server's words for where a task stands (jlab_platform/crowd/states.py, through the schema). */
export type CrowdState = components['schemas']['TaskSummary']['state'];
export type CrowdStrategy = NonNullable<Schemas['NewTaskRequest']['strategy']>;
export const CROWD_STRATEGIES: CrowdStrategy[] = ['least_confidence', 'margin', 'entropy', 'random'];
export const CROWD_ROUND_SCHEMA = 'https://events.jlab-platform.dev/crowd-round';

export type ICrowdTask = Schemas['TaskSummary'];
export type ICrowdProgress = ICrowdTask['progress'];
export type ICrowdDatasetStats = Schemas['DatasetStats'];
export type ICrowdTaskList = Schemas['TaskList'];

/**
 * How far the round's labelers agree. The schema leaves `Round.agreement` an open object
 * (jlab_platform/crowd/models.py declares no model for it), so its shape is stated here.
 */
export interface ICrowdAgreement {
  items: number;
  fleiss_kappa: number | null;
  cohen_kappa: { labelers: [string, string]; items: number; kappa: number | null }[];
  disagreements: { sample: string; labels: Record<string, string> }[];
}

export type ICrowdRound = Omit<Schemas['Round'], 'agreement'> & { agreement: ICrowdAgreement };
export type ICrowdLabeler = Schemas['Labeler'];
export type ICrowdTaskDetail = Omit<Schemas['jlab_platform__crowd__models__Task'], 'rounds'> & {
  rounds: ICrowdRound[];
};
/** An invitation; `link`: the page's path with the token in the #fragment (never sent to a server). */
export type ICrowdInvite = Schemas['Invite'];
export type INewCrowdTask = Schemas['NewTaskRequest'];
export type ICrowdCreated = Omit<Schemas['NewTaskAnswer'], 'rounds'> & { rounds: ICrowdRound[] };
/** A sample of the current round that still wants labels (`GET .../remaining`). */
export type ICrowdRemainingSample = Schemas['RemainingSample'];
/** `waiting`: why nothing can be labeled now (the task is not collecting labels). */
export type ICrowdRemaining = Schemas['Remaining'];
export type ICrowdLabelAnswer = Schemas['LabelingAnswer'];

/**
 * A workspace folder in the seed's module format (`GET /crowd/seed-modules`); the schema
 * leaves its items open objects, so the shape is stated here.
 */
export interface ICrowdSeedModule {
  path: string;
  classes: string[];
}

/** What the dialog's Module choice offers: library modules that train and predict, then seed folders. */
export interface IModuleChoices {
  library: string[];
  seed: ICrowdSeedModule[];
}

export function moduleChoices(
  modules: { name: string; actions: string[]; valid: boolean }[],
  seed: ICrowdSeedModule[]
): IModuleChoices {
  const library = modules
    .filter(module => module.valid && module.actions.includes('train') && module.actions.includes('predict'))
    .map(module => module.name);
  return { library, seed };
}

export interface ICrowdRoundEvent {
  kind: 'round_ready' | 'round_complete' | 'round_failed';
  task_id: string;
  name: string;
  round: number;
}

const EVENT_KINDS = ['round_ready', 'round_complete', 'round_failed'];

export function parseCrowdRoundEvent(emission: Record<string, unknown>): ICrowdRoundEvent | null {
  if (emission.schema_id !== CROWD_ROUND_SCHEMA) {
    return null;
  }
  const { kind, task_id, name, round } = emission;
  if (typeof kind !== 'string' || !EVENT_KINDS.includes(kind) || typeof task_id !== 'string') {
    return null;
  }
  return {
    kind: kind as ICrowdRoundEvent['kind'],
    task_id,
    name: typeof name === 'string' && name ? name : task_id,
    round: typeof round === 'number' ? round : 0
  };
}

/** A comma- or newline-separated list as the server wants it: trimmed, no empty entries. */
export function splitList(text: string): string[] {
  return text
    .split(/[,\n]/)
    .map(item => item.trim())
    .filter(item => item.length > 0);
}

/** The full URL of an invite link (the server answers with a path that starts with its base URL). */
export function absoluteLink(link: string, origin: string): string {
  return new URL(link, origin).toString();
}

/** Share of the round's wanted labels that were given, 0..1. */
export function progressShare(progress: ICrowdProgress): number {
  return progress.needed > 0 ? Math.min(1, progress.labels / progress.needed) : 0;
}
