import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  CatalogItem,
  formatValue,
  IFieldSpec,
  IFilter,
  jobScriptPath,
  matches,
  parseField,
  problemText,
  rangeHint,
  sortItems,
  sourceLabel,
  taskTypes
} from '../modules/model';

const __ = (msg: string, ...args: unknown[]): string =>
  msg.replace(/%(\d)/g, (_, n: string) => String(args[Number(n) - 1]));

function module(name: string, extra: Partial<CatalogItem> = {}): CatalogItem {
  return {
    kind: 'module',
    name,
    title: name,
    description: '',
    task: 'image-classification',
    tags: [],
    source: 'builtin',
    path: null,
    valid: true,
    errors: [],
    warnings: [],
    favorite: false,
    version: '1',
    framework: 'pytorch',
    actions: ['train', 'predict'],
    shadowed: [],
    ...extra
  } as CatalogItem;
}

function field(extra: Partial<IFieldSpec>): IFieldSpec {
  return {
    name: 'x',
    type: 'int',
    item_type: 'int',
    list: false,
    label: 'X',
    help: '',
    default: null,
    has_default: false,
    required: true,
    range: null,
    choices: null,
    group: null,
    ...extra
  };
}

const ALL: IFilter = { query: '', kind: 'all', task: '', favoritesOnly: false };

test('search matches every word in name, title, description or tags', () => {
  const item = module('image-classifier', { description: 'A small CNN', tags: ['pytorch', 'cnn'] });
  assert.equal(matches(item, { ...ALL, query: 'PyTorch small' }), true);
  assert.equal(matches(item, { ...ALL, query: 'pytorch keras' }), false);
  assert.equal(matches(item, { ...ALL, query: '  ' }), true);
});

test('kind, task and favorites filter; favorites sort first', () => {
  const star = module('b', { favorite: true });
  const dataset = { ...module('a'), kind: 'dataset', task: 'regression' } as CatalogItem;
  assert.equal(matches(dataset, { ...ALL, kind: 'module' }), false);
  assert.equal(matches(dataset, { ...ALL, task: 'image-classification' }), false);
  assert.equal(matches(module('c'), { ...ALL, favoritesOnly: true }), false);
  assert.deepEqual(
    sortItems([module('c'), dataset, star]).map(i => i.name),
    ['b', 'a', 'c']
  );
  assert.deepEqual(taskTypes([module('c'), dataset, module('d', { task: '' })]), [
    'image-classification',
    'regression'
  ]);
});

test('numbers are checked for type and range like the server does', () => {
  const epochs = field({ range: [1, 500] });
  assert.deepEqual(parseField(epochs, '5', __), { value: 5 });
  assert.deepEqual(parseField(epochs, '0', __), { error: 'Must be between 1 and 500' });
  assert.deepEqual(parseField(epochs, '2.5', __), { error: 'Enter a whole number' });
  assert.deepEqual(parseField(epochs, 'lots', __), { error: 'Enter a number' });
  assert.deepEqual(parseField(epochs, '', __), { error: 'Required' });
  assert.deepEqual(parseField(field({ has_default: true, required: false }), ' ', __), { value: null });
  assert.deepEqual(parseField(field({ item_type: 'float', type: 'float' }), '1e-3', __), { value: 0.001 });
});

test('text, paths, choices, booleans and lists', () => {
  const hostile = '"); import os; os.system("x';
  assert.deepEqual(parseField(field({ item_type: 'str', type: 'str' }), hostile, __), { value: hostile });
  assert.deepEqual(parseField(field({ item_type: 'path', type: 'path' }), ' datasets/a b ', __), {
    value: 'datasets/a b'
  });
  const choice = field({ item_type: 'choice', type: 'choice', choices: ['adam', 1] });
  assert.deepEqual(parseField(choice, '1', __), { value: 1 });
  assert.deepEqual(parseField(choice, 'sgd', __), { error: 'Choose one of: adam, 1' });
  assert.deepEqual(parseField(field({ item_type: 'bool', type: 'bool' }), false, __), { value: false });
  const sizes = field({ item_type: 'int', type: 'list[int]', list: true, range: [1, 9] });
  assert.deepEqual(parseField(sizes, '1, 2,3', __), { value: [1, 2, 3] });
  assert.deepEqual(parseField(sizes, '1, 20', __), { error: 'Item 2: Must be between 1 and 9' });
});

test('display helpers', () => {
  assert.equal(formatValue([1, 'a']), '1, a');
  assert.equal(formatValue(null), '');
  assert.equal(formatValue(false), 'false');
  assert.equal(rangeHint(field({ range: [0, 1] })), '0 – 1');
  assert.equal(problemText({ file: 'module_spec.yml', line: 3, message: 'bad' }), 'module_spec.yml:3: bad');
  assert.equal(
    jobScriptPath('my module', 'train', new Date(2026, 0, 2, 3, 4, 5)),
    'module_jobs/my_module-train-20260102-030405.py'
  );
});

test('a source reads as words; a package names its distribution', () => {
  assert.equal(sourceLabel(__, 'builtin'), 'built-in');
  assert.equal(sourceLabel(__, 'package:acme-models'), 'package acme-models');
  assert.equal(sourceLabel(__, 'elsewhere'), 'elsewhere');
});
