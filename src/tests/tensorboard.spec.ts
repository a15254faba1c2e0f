import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  folderName,
  jobRunFolder,
  normalizeFolder,
  pageUrl,
  parseOutput,
  proxiedUrl,
  RUNS_FOLDER,
  shortTime
} from '../tensorboard/model';
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

test('jobRunFolder names the run as the server does (events.run_folder_name)', () => {
  // Expected values printed by the Python rule for the same inputs.
  const cases: [string, string, string][] = [
    ['train', 'a1b2', 'train-a1b2'],
    ['my job v2.0', 'x9', 'my_job_v2.0-x9'],
    ['..hidden__', 'id', 'hidden-id'],
    ['数据 训练', '7f', '数据_训练-7f'],
    ['***', '1', '_-1'],
    ['a/b\\c', 'z', 'a_b_c-z'],
    ['e\u0301t', 'q', 'e_t-q'],
    ['²½', 'k', '²½-k']
  ];
  for (const [name, id, folder] of cases) {
    assert.equal(jobRunFolder({ name, id }), `${RUNS_FOLDER}/${folder}`);
  }
  assert.equal(jobRunFolder({ name: 'x'.repeat(250), id: 'abc' }), `${RUNS_FOLDER}/${'x'.repeat(200)}`);
  // 200 characters, not UTF-16 units: an astral character counts once.
  assert.equal(jobRunFolder({ name: '𝐱'.repeat(201), id: 'a' }), `${RUNS_FOLDER}/${'𝐱'.repeat(200)}`);
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

test('shortTime shows the time of day for today, the date too for other days', () => {
  const now = new Date(2026, 11, 6, 15, 0);
  const today = new Date(2026, 11, 6, 9, 5).toISOString();
  const earlier = new Date(2026, 11, 1, 9, 5).toISOString();
  assert.equal(
    shortTime(today, now),
    new Date(today).toLocaleTimeString(undefined, { hour: '2-digit', minute: '2-digit' })
  );
  assert.notEqual(shortTime(earlier, now), shortTime(today, now));
  assert.match(shortTime(earlier, now), /1/);
  assert.equal(shortTime('not a time', now), 'not a time');
});

test('the Platform panel lists starting and running instances, not idle-stopped ones', () => {
  assert.equal(isActive('starting'), true);
  assert.equal(isActive('running'), true);
  assert.equal(isActive('stopped'), false);
});
