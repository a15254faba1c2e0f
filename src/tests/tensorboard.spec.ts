import { test } from 'node:test';
import assert from 'node:assert/strict';

import { folderName, normalizeFolder, pageUrl, parseOutput, proxiedUrl } from '../tensorboard/model';
import { isActive } from '../tensorboard/states';

test('normalizeFolder gives one key per folder however it is written', () => {
  assert.equal(normalizeFolder('results/tensorboard'), 'results/tensorboard');
  assert.equal(normalizeFolder('/results//tensorboard/'), 'results/tensorboard');
  assert.equal(normalizeFolder('./results/./tensorboard '), 'results/tensorboard');
  assert.equal(normalizeFolder(''), '');
  assert.equal(normalizeFolder('/'), '');
  // ".." is the server's to refuse (outside the root): kept as written.
  assert.equal(normalizeFolder('../x'), '../x');
});

test('folderName is the last segment, "/" for the root', () => {
  assert.equal(folderName('results/tensorboard/train-ab12/'), 'train-ab12');
  assert.equal(folderName('runs'), 'runs');
  assert.equal(folderName(''), '/');
});

test('proxiedUrl joins the base URL and the path the server gives, with one slash', () => {
  assert.equal(proxiedUrl('/', '/jlab-platform/tensorboard/a1/'), '/jlab-platform/tensorboard/a1/');
  assert.equal(proxiedUrl('/user/ann/', '/jlab-platform/tensorboard/a1/'), '/user/ann/jlab-platform/tensorboard/a1/');
  assert.equal(
    proxiedUrl('http://host:8888/lab-base', 'jlab-platform/tensorboard/a1/'),
    'http://host:8888/lab-base/jlab-platform/tensorboard/a1/'
  );
});

test("pageUrl asks for TensorBoard's dark mode only in a dark theme", () => {
  assert.equal(pageUrl('/', '/jlab-platform/tensorboard/a1/', false), '/jlab-platform/tensorboard/a1/');
  assert.equal(pageUrl('/', '/jlab-platform/tensorboard/a1/', true), '/jlab-platform/tensorboard/a1/?darkMode=true');
});

test('parseOutput takes the three strings of the output and nothing less', () => {
  const data = { id: 'a1', url: '/jlab-platform/tensorboard/a1/', logdir: 'results/tensorboard' };
  assert.deepEqual(parseOutput(data), data);
  assert.deepEqual(parseOutput({ ...data, logdir: '' }), { ...data, logdir: '' });
  assert.equal(parseOutput({ ...data, id: '' }), null);
  assert.equal(parseOutput({ id: 'a1', logdir: 'x' }), null);
  assert.equal(parseOutput('a1'), null);
  assert.equal(parseOutput(null), null);
});

test('the Platform panel lists starting and running instances, not idle-stopped ones', () => {
  assert.equal(isActive('starting'), true);
  assert.equal(isActive('running'), true);
  assert.equal(isActive('stopped'), false);
});
