import { test } from 'node:test';
import assert from 'node:assert/strict';

import { folderTree, IFolder, openFolders, VISIBLE_ROWS } from '../git/folders';
import { baseName } from '../platform/format';

function files(...paths: string[]): { path: string }[] {
  return paths.map(path => ({ path }));
}

/** The tree as lines: "name/ (count)" for folders, then their files, indented. */
function outline(folder: IFolder<{ path: string }>, depth = 0): string[] {
  const pad = '  '.repeat(depth);
  return [
    ...folder.files.map(f => pad + baseName(f.path)),
    ...folder.folders.flatMap(f => [`${pad}${f.name}/ (${f.count})`, ...outline(f, depth + 1)])
  ];
}

test('folderTree groups files by folder, top-level files first, each level sorted', () => {
  const tree = folderTree(files('train.py', 'data/b.csv', 'README.md', 'data/a.csv', 'models/net.py'));
  assert.equal(tree.path, '');
  assert.equal(tree.count, 5);
  assert.deepEqual(outline(tree), [
    'README.md',
    'train.py',
    'data/ (2)',
    '  a.csv',
    '  b.csv',
    'models/ (1)',
    '  net.py'
  ]);
});

test('folderTree counts the files below a folder and joins folders that only hold one folder', () => {
  const tree = folderTree(
    files('data/raw/images/cat/1.png', 'data/raw/images/dog/2.png', 'data/raw/images/dog/3.png', 'src/a/b/c.py')
  );
  assert.deepEqual(outline(tree), [
    'data/raw/images/ (3)',
    '  cat/ (1)',
    '    1.png',
    '  dog/ (2)',
    '    2.png',
    '    3.png',
    'src/a/b/ (1)',
    '  c.py'
  ]);
  const [data] = tree.folders;
  assert.equal(data.path, 'data/raw/images');
  assert.deepEqual(
    data.folders.map(f => f.path),
    ['data/raw/images/cat', 'data/raw/images/dog']
  );
});

test('folderTree sorts numbers as people do and keeps every file once', () => {
  const paths = Array.from({ length: 126 }, (_, i) => `photos/img${i + 1}.jpg`);
  const tree = folderTree(files(...[...paths].reverse(), 'notes.md'));
  assert.equal(tree.count, 127);
  const [photos] = tree.folders;
  assert.equal(photos.count, 126);
  assert.deepEqual(
    photos.files.map(f => f.path),
    paths
  );
});

test('folders open level by level while their rows fit; a folder of many files starts folded', () => {
  const photos = Array.from({ length: 60 }, (_, i) => `project/photos/cat/${i}.jpg`);
  const tree = folderTree(
    files(...photos, 'project/notes/a.md', 'project/notes/b.md', 'project/train.py', 'README.md')
  );
  // Top: README.md + project/ (2 rows); project/: train.py, notes/, photos/cat/ (5); notes/: 2 (7);
  // photos/cat/: 60 more rows would pass 30.
  assert.deepEqual([...openFolders(tree, 30)], ['project', 'project/notes']);
  assert.deepEqual([...openFolders(tree, 67)].sort(), ['project', 'project/notes', 'project/photos/cat']);
  assert.deepEqual([...openFolders(tree, 4)], []);
});

test('a lone small folder opens all the way down; a big one before a small one does not stop it', () => {
  const small = folderTree(files('a/b/1.txt', 'a/b/c/2.txt', 'a/d/3.txt'));
  assert.deepEqual([...openFolders(small)].sort(), ['a', 'a/b', 'a/b/c', 'a/d']);
  const big = Array.from({ length: VISIBLE_ROWS }, (_, i) => `big/${i}.txt`);
  const mixed = folderTree(files(...big, 'small/x.txt'));
  assert.deepEqual([...openFolders(mixed)], ['small']);
});

test('folderTree of nothing is an empty top folder', () => {
  assert.deepEqual(folderTree([]), { name: '', path: '', files: [], folders: [], count: 0 });
});
