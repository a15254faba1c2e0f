import { test } from 'node:test';
import assert from 'node:assert/strict';

import {
  curlSnippet,
  fieldKind,
  nameProblem,
  pythonSnippet,
  shortCommit,
  shortenForSnippet,
  sourceLabel,
  topClasses
} from '../deploy/model';
import { isRunning, isSettling, statusClass, statusLabel } from '../deploy/states';

const trans = (message: string, ...args: string[]): string =>
  message.replace(/%(\d)/g, (_, index: string) => args[Number(index) - 1]);

test('nameProblem accepts what the server accepts and says what is wrong otherwise', () => {
  assert.equal(nameProblem(trans, 'cats'), null);
  assert.equal(nameProblem(trans, 'Cat_v2-b'), null);
  assert.equal(nameProblem(trans, 'a'.repeat(60)), null);
  assert.equal(nameProblem(trans, ''), 'Give the deployment a name.');
  assert.equal(nameProblem(trans, '2cats'), 'Start the name with a letter.');
  assert.equal(nameProblem(trans, 'cats dogs'), 'Use only letters, digits, - and _.');
  assert.equal(nameProblem(trans, 'a'.repeat(61)), 'Use at most 60 characters.');
});

test('fieldKind maps module spec types to form controls', () => {
  assert.equal(fieldKind('image'), 'image');
  assert.equal(fieldKind('int'), 'integer');
  assert.equal(fieldKind('float'), 'number');
  assert.equal(fieldKind('bool'), 'bool');
  assert.equal(fieldKind('str'), 'text');
  assert.equal(fieldKind('list[int]'), 'json');
});

test("topClasses reads the runtime's classifier answer, best first", () => {
  const answer = {
    outputs: {
      label: 'square',
      probability: [0.1, 0.7, 0.2],
      classes: ['circle', 'square', 'triangle'],
      top: [{ class: 'square', probability: 0.7 }]
    }
  };
  assert.deepEqual(topClasses(answer), [
    { label: 'square', score: 0.7 },
    { label: 'triangle', score: 0.2 },
    { label: 'circle', score: 0.1 }
  ]);
});

test("topClasses reads a module classifier's top list (its probability vector has no class names)", () => {
  const answer = {
    outputs: [
      {
        label: 'square',
        confidence: 0.8,
        probability: [0.15, 0.8, 0.05],
        top: [
          { class: 'square', probability: 0.8 },
          { class: 'circle', probability: 0.15 },
          { class: 'triangle', probability: 0.05 }
        ]
      }
    ]
  };
  assert.deepEqual(
    topClasses(answer)?.map(score => score.label),
    ['square', 'circle', 'triangle']
  );
});

test('topClasses reads mappings, rows and /aip answers; anything else is not a classification', () => {
  assert.deepEqual(topClasses({ code: 200, data: { cat: 0.25, dog: 0.75 } }), [
    { label: 'dog', score: 0.75 },
    { label: 'cat', score: 0.25 }
  ]);
  assert.deepEqual(
    topClasses([
      { label: 'a', score: 0.4 },
      { label: 'b', score: 0.6 }
    ])?.[0],
    { label: 'b', score: 0.6 }
  );
  assert.equal(topClasses({ outputs: { sum: 3 } }), null);
  assert.equal(topClasses({ outputs: [1, 2, 3] }), null);
  assert.equal(topClasses('text'), null);
  const many = Object.fromEntries(Array.from({ length: 9 }, (_, i) => [`c${i}`, i / 100]));
  assert.equal(topClasses(many)?.length, 5);
});

test('snippets call the service URL with the key from the environment, never a key', () => {
  const body = shortenForSnippet({ image: 'x'.repeat(200), k: 3, flag: true }, '<base64 image>');
  assert.deepEqual(body, { image: '<base64 image>', k: 3, flag: true });
  const curl = curlSnippet('http://127.0.0.1:9000/predict', body);
  assert.match(curl, /curl -s -X POST 'http:\/\/127\.0\.0\.1:9000\/predict'/);
  assert.match(curl, /Authorization: Bearer \$JLAB_DEPLOY_KEY/);
  assert.match(curl, /-d '\{"image":"<base64 image>","k":3,"flag":true\}'/);
  const python = pythonSnippet('http://127.0.0.1:9000/predict', body, ['image']);
  assert.match(python, /"image": base64\.b64encode\(open\("image\.png", "rb"\)\.read\(\)\)\.decode\(\),/);
  assert.match(python, /"k": 3,/);
  assert.match(python, /"flag": True,/);
  assert.match(python, /os\.environ\["JLAB_DEPLOY_KEY"\]/);
  assert.match(curlSnippet('http://h/p', { s: "it's" }), /-d '\{"s":"it'"'"'s"\}'/);
});

test('status words and classes cover every status', () => {
  const bundle = { __: (message: string) => message };
  assert.equal(statusLabel(bundle, 'ready'), 'ready');
  assert.equal(statusClass('failed'), 'jp-DeployStatus-failed');
  assert.equal(isSettling('starting'), true);
  assert.equal(isSettling('ready'), false);
  assert.equal(isRunning('ready'), true);
  assert.equal(isRunning('stopped'), false);
  assert.equal(shortCommit('0123456789abcdef'), '01234567');
  assert.equal(shortCommit(null), null);
  assert.equal(sourceLabel('results/image-classifier/run-1/', 'image-classifier'), 'image-classifier/run-1');
  assert.equal(sourceLabel('work/notebooks/colors.py', null), 'colors.py');
});
