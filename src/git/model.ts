/**
 * Git sync as the REST API describes it, and pure helpers over it.
 * No JupyterLab imports at runtime: unit-tested in node.
 */

import type { components } from '../api/schema';

type Schemas = components['schemas'];

/** One changed file; `staged` / `unstaged` are git's letters (M, A, D, R, C, T) or null. */
export type IGitFile = Schemas['ChangedFile'];
/** The workspace's repository; `repository` false: there is none (the rest is empty). */
export type GitStatus = Schemas['GitStatus'];
export type GitOperation = NonNullable<GitStatus['operation']>;
export type ISyncResult = Schemas['SyncResult'];
export type SyncState = ISyncResult['state'];
export type ICommitFile = Schemas['CommitFile'];
export type ICommit = Schemas['Commit'];
export type IGitLog = Schemas['GitLog'];
export type IGitDiff = Schemas['Diff'];
export type IRollbackResult = Schemas['RollbackResult'];
export type ResolveChoice = Schemas['ResolveRequest']['choice'];

export interface IFileGroups {
  conflicted: IGitFile[];
  staged: IGitFile[];
  unstaged: IGitFile[];
  untracked: IGitFile[];
}

/** Files as the sync dialog lists them; a file both staged and edited again is in both groups. */
export function groupFiles(files: readonly IGitFile[]): IFileGroups {
  const groups: IFileGroups = { conflicted: [], staged: [], unstaged: [], untracked: [] };
  for (const file of files) {
    if (file.conflicted) {
      groups.conflicted.push(file);
    } else if (file.untracked) {
      groups.untracked.push(file);
    } else {
      if (file.staged) {
        groups.staged.push(file);
      }
      if (file.unstaged) {
        groups.unstaged.push(file);
      }
    }
  }
  return groups;
}

/** The badge: "main ↑1 ↓2 · 3 changed"; arrows only when there is something to show. */
export interface IBadge {
  branch: string;
  ahead: number;
  behind: number;
  changed: number;
  conflicts: number;
}

export function badgeOf(status: GitStatus): IBadge {
  return {
    branch: status.branch ?? (status.head ? status.head.slice(0, 8) : '—'),
    ahead: status.ahead,
    behind: status.behind,
    changed: status.changed,
    conflicts: status.conflicts?.length ?? 0
  };
}

/** "3 min", "2 h", "5 d" since `iso` (as of `now`), for the history list. */
export function ageOf(iso: string, now: number): { value: number; unit: 's' | 'min' | 'h' | 'd' } {
  const seconds = Math.max(0, Math.round((now - new Date(iso).getTime()) / 1000));
  if (seconds < 60) {
    return { value: seconds, unit: 's' };
  }
  if (seconds < 3600) {
    return { value: Math.floor(seconds / 60), unit: 'min' };
  }
  if (seconds < 86400) {
    return { value: Math.floor(seconds / 3600), unit: 'h' };
  }
  return { value: Math.floor(seconds / 86400), unit: 'd' };
}

/** The class of one line of a unified diff, for colouring. */
export function diffLineKind(line: string): 'add' | 'remove' | 'hunk' | 'meta' | 'context' {
  if (line.startsWith('+++') || line.startsWith('---') || line.startsWith('diff ') || line.startsWith('index ')) {
    return 'meta';
  }
  if (line.startsWith('@@')) {
    return 'hunk';
  }
  if (line.startsWith('+')) {
    return 'add';
  }
  if (line.startsWith('-')) {
    return 'remove';
  }
  return 'context';
}
