/** The words the Git UI shows for server facts, through the translator. */
import { TranslationBundle } from '@jupyterlab/translation';

import { ageOf, IGitFile, ISyncResult } from './model';

/** What a sync did, in one sentence. */
export function syncSummary(trans: TranslationBundle, result: ISyncResult): string {
  if (result.state === 'conflicts') {
    return trans._n(
      'Sync stopped on a conflict in %1 file. Your work is committed; choose a version to finish.',
      'Sync stopped on conflicts in %1 files. Your work is committed; choose a version per file to finish.',
      result.conflicts.length
    );
  }
  if (result.state === 'aborted') {
    return trans.__('Sync aborted: your version is back, committed here and not pushed.');
  }
  if (result.remote === null) {
    return result.committed
      ? trans.__('Committed (there is no remote to push to).')
      : trans.__('Nothing to commit, and no remote to update from.');
  }
  return result.committed
    ? trans.__('Synced: committed, updated from %1 and pushed.', result.remote)
    : trans.__('Synced with %1: nothing new to commit.', result.remote);
}

/** A git status letter as a word: "modified", "added", ... */
export function changeLabel(trans: TranslationBundle, letter: string | null): string {
  switch (letter) {
    case 'M':
      return trans.__('modified');
    case 'A':
      return trans.__('added');
    case 'D':
      return trans.__('deleted');
    case 'R':
      return trans.__('renamed');
    case 'C':
      return trans.__('copied');
    case 'T':
      return trans.__('type changed');
    default:
      return trans.__('changed');
  }
}

/** "name (modified)", or "name (from old/path)" for a rename (`name`: the path, or its last part in a folder). */
export function fileLabel(trans: TranslationBundle, file: IGitFile, letter: string | null, name: string): string {
  return file.from ? trans.__('%1 (from %2)', name, file.from) : trans.__('%1 (%2)', name, changeLabel(trans, letter));
}

export function ageLabel(trans: TranslationBundle, iso: string, now: number): string {
  const { value, unit } = ageOf(iso, now);
  switch (unit) {
    case 's':
      return trans.__('just now');
    case 'min':
      return trans._n('%1 minute ago', '%1 minutes ago', value);
    case 'h':
      return trans._n('%1 hour ago', '%1 hours ago', value);
    default:
      return trans._n('%1 day ago', '%1 days ago', value);
  }
}
