/**
 * Changed files as a tree of folders, for lists that may hold hundreds of files.
 * No JupyterLab imports: unit-tested in node.
 */

/** About how many rows a list shows before the folders left are folded. */
export const VISIBLE_ROWS = 30;

export interface IFolder<T> {
  /** What the row shows: the folder's name, or a chain of folders with nothing else in them ("data/raw"). */
  name: string;
  /** The full path, without a trailing slash; '' for the top. */
  path: string;
  /** Files right in this folder, by name. */
  files: T[];
  /** Subfolders, by name. */
  folders: IFolder<T>[];
  /** Files in this folder and below. */
  count: number;
}

/** The folder tree of `files` (by their `path`, '/'-separated). */
export function folderTree<T extends { path: string }>(files: readonly T[]): IFolder<T> {
  const top = emptyFolder<T>('', '');
  for (const file of files) {
    const parts = file.path.split('/');
    let folder = top;
    for (const part of parts.slice(0, -1)) {
      const path = folder.path ? `${folder.path}/${part}` : part;
      let child = folder.folders.find(f => f.path === path);
      if (!child) {
        child = emptyFolder(part, path);
        folder.folders.push(child);
      }
      folder = child;
    }
    folder.files.push(file);
  }
  return settle(top);
}

/**
 * The folders that start open: level by level, each one whose rows (its files and subfolders)
 * still fit in `rows`. A folder of many files starts folded, showing its count; small ones
 * beside it open, and a lone folder of a few files opens all the way down.
 */
export function openFolders(top: IFolder<unknown>, rows = VISIBLE_ROWS): Set<string> {
  const open = new Set<string>();
  let shown = top.files.length + top.folders.length;
  const queue = [...top.folders];
  for (let folder = queue.shift(); folder; folder = queue.shift()) {
    const inside = folder.files.length + folder.folders.length;
    if (shown + inside <= rows) {
      open.add(folder.path);
      shown += inside;
      queue.push(...folder.folders);
    }
  }
  return open;
}

function emptyFolder<T>(name: string, path: string): IFolder<T> {
  return { name, path, files: [], folders: [], count: 0 };
}

/** Sort, count, and join chains of folders that hold only one folder each. */
function settle<T extends { path: string }>(folder: IFolder<T>): IFolder<T> {
  folder.folders = folder.folders.map(settle).sort((a, b) => compare(a.name, b.name));
  folder.files.sort((a, b) => compare(a.path, b.path));
  folder.count = folder.files.length + folder.folders.reduce((sum, f) => sum + f.count, 0);
  if (folder.path && !folder.files.length && folder.folders.length === 1) {
    const only = folder.folders[0];
    return { ...only, name: `${folder.name}/${only.name}` };
  }
  return folder;
}

function compare(a: string, b: string): number {
  return a.localeCompare(b, undefined, { numeric: true, sensitivity: 'base' });
}
