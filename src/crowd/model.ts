/** Labeling tasks as the server describes them, and small pure helpers about them. */
import type { components } from '../api/schema';

/** The server's words for where a task stands (jlab_platform/crowd/states.py, through the schema). */
export type CrowdState = components['schemas']['TaskSummary']['state'];
export type CrowdStrategy = 'least_confidence' | 'margin' | 'entropy' | 'random';
export const CROWD_STRATEGIES: CrowdStrategy[] = ['least_confidence', 'margin', 'entropy', 'random'];
export const CROWD_ROUND_SCHEMA = 'https://events.jlab-platform.dev/crowd-round';

export interface ICrowdProgress {
  labels: number;
  needed: number;
  samples: number;
  complete_samples: number;
}

export interface ICrowdTask {
  id: string;
  name: string;
  description: string;
  dataset: string;
  module: string;
  module_format: 'seed' | 'platform';
  classes: string[];
  max_choose: number;
  overlap: number;
  strategy: CrowdStrategy;
  seed: number;
  max_rounds: number;
  env: string;
  state: CrowdState;
  mark: 'in_progress' | 'finished';
  round: number;
  round_complete: boolean;
  job_id: string | null;
  error: string | null;
  owner: string;
  created_at: string;
  finished_at: string | null;
  finished_incomplete: boolean;
  progress: ICrowdProgress;
  can: { next_round: boolean; finish: boolean; reopen: boolean; invite: boolean };
}

export interface ICrowdDatasetStats {
  dataset: string;
  tasks: number;
  in_progress: number;
  finished: number;
  samples: number;
  labels: number;
}

export interface ICrowdTaskList {
  tasks: ICrowdTask[];
  datasets: ICrowdDatasetStats[];
}

export interface ICrowdAgreement {
  items: number;
  fleiss_kappa: number | null;
  cohen_kappa: { labelers: [string, string]; items: number; kappa: number | null }[];
  disagreements: { sample: string; labels: Record<string, string> }[];
}

export interface ICrowdRound {
  number: number;
  job_id: string | null;
  created_at: string;
  ready_at: string | null;
  completed_at: string | null;
  closed_at: string | null;
  scored: number;
  selected: number;
  complete_samples: number;
  labels: number;
  needed: number;
  notes: string[];
  by_class: Record<string, number>;
  majority_by_class: Record<string, number>;
  by_labeler: Record<string, number>;
  agreement: ICrowdAgreement;
  files: { kind: 'labels' | 'ties'; path: string }[];
}

export interface ICrowdLabeler {
  id: string;
  name: string;
  kind: 'invited' | 'owner';
  invited_at: string | null;
  expires_at: string | null;
  revoked_at: string | null;
  active: boolean;
  labels: number;
}

export interface ICrowdTaskDetail extends ICrowdTask {
  rounds: ICrowdRound[];
  labelers: ICrowdLabeler[];
  results: { folder: string; export: string };
}

export interface ICrowdInvite {
  labeler: ICrowdLabeler;
  token: string;
  /** The page's path with the token in the #fragment (never sent to a server). */
  link: string;
}

export interface INewCrowdTask {
  name: string;
  description?: string;
  dataset: string;
  module: string;
  classes?: string[];
  max_choose?: number;
  overlap?: number;
  strategy?: CrowdStrategy;
  max_rounds?: number;
  labelers?: string[];
}

/** A sample of the current round that still wants labels (`GET .../remaining`). */
export interface ICrowdRemainingSample {
  id: string;
  name: string;
  labels: number;
  wanted: number;
  /** The owner labeled it already. */
  mine: boolean;
  /** A labeler's page shows it now. */
  held: boolean;
  /** How many labelers skipped it. */
  skipped: number;
}

export interface ICrowdRemaining {
  round: number;
  classes: string[];
  total: number;
  samples: ICrowdRemainingSample[];
  /** Why nothing can be labeled now (the task is not collecting labels). */
  waiting: string | null;
}

export interface ICrowdLabelAnswer {
  duplicate: boolean;
  progress: { round: number; labels: number; needed: number; round_complete: boolean };
}

/** A workspace folder in the seed's module format (`GET /crowd/seed-modules`). */
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
