import { test } from 'node:test';
import assert from 'node:assert/strict';

import type { IModelSummary, IVersion } from '../models/client';
import {
  bestVersions,
  formatEta,
  formatMetric,
  isModelName,
  lowerIsBetter,
  matchesQuery,
  metricNames
} from '../models/model';
import { isTrainingActive, trainingActions, trainingLabel } from '../models/states';

const trans = { __: (message: string, ...args: unknown[]) => `${message}${args.length ? `|${args.join('|')}` : ''}` };

function version(name: string, metrics: Record<string, number>): IVersion {
  return { version: name, metrics } as unknown as IVersion;
}

test('the seed name rule: ≤ 60, a letter first, a-z A-Z 0-9 - _, ending with a letter or digit', () => {
  assert.ok(isModelName('cats'));
  assert.ok(isModelName('a'));
  assert.ok(isModelName('Defect_classifier-2'));
  assert.ok(isModelName('a'.repeat(60)));
  assert.ok(!isModelName('a'.repeat(61)));
  assert.ok(!isModelName('1cats'));
  assert.ok(!isModelName('cats-'));
  assert.ok(!isModelName('cats_'));
  assert.ok(!isModelName('ca ts'));
  assert.ok(!isModelName(''));
  assert.ok(!isModelName('猫'));
});

test('search: every word in the name, description, template, type or an alias', () => {
  const model = {
    name: 'shapes',
    description: 'Discs and squares',
    template: 'image-classifier',
    task: 'image-classification',
    aliases: { production: '1.02' }
  } as unknown as IModelSummary;
  assert.ok(matchesQuery(model, ''));
  assert.ok(matchesQuery(model, 'SHAPES squares'));
  assert.ok(matchesQuery(model, 'production'));
  assert.ok(matchesQuery(model, 'classifier'));
  assert.ok(!matchesQuery(model, 'shapes staging'));
});

test('metrics: validation columns first, the best of each marked (lower for losses)', () => {
  const versions = [
    version('1.01', { accuracy: 0.8, val_accuracy: 0.7, loss: 0.5, lr: 0.01 }),
    version('1.02', { accuracy: 0.9, val_accuracy: 0.65, loss: 0.3 }),
    version('1.03', { accuracy: 0.85 })
  ];
  assert.deepEqual(metricNames(versions), ['val_accuracy', 'accuracy', 'loss']);
  const best = bestVersions(versions, metricNames(versions));
  assert.equal(best.get('accuracy'), '1.02');
  assert.equal(best.get('val_accuracy'), '1.01');
  assert.equal(best.get('loss'), '1.02');
  // One version alone is nobody's best.
  assert.equal(bestVersions([versions[0]], ['accuracy']).size, 0);
  assert.ok(lowerIsBetter('val_loss'));
  assert.ok(!lowerIsBetter('f1'));
});

test('formatMetric: four significant digits, integers as they are, "—" when missing', () => {
  assert.equal(formatMetric(0.123456), '0.1235');
  assert.equal(formatMetric(12), '12');
  assert.equal(formatMetric(1234.5678), '1235');
  assert.equal(formatMetric(undefined), '—');
  assert.equal(formatMetric(Number.NaN), '—');
});

test('formatEta: seconds, minutes, hours', () => {
  assert.equal(formatEta(null), '');
  assert.equal(formatEta(-1), '');
  assert.equal(formatEta(12.4), '12 s');
  assert.equal(formatEta(180), '3 min');
  assert.equal(formatEta(3900), '1 h 05 min');
});

test("training states: the seed's six, what each allows", () => {
  assert.ok(isTrainingActive('waiting'));
  assert.ok(isTrainingActive('training'));
  assert.ok(!isTrainingActive('published'));
  // A waiting task cannot be terminated (the seed); only a completed one can be published.
  assert.deepEqual(trainingActions('waiting'), { terminate: false, startAgain: false, publish: false, remove: false });
  assert.deepEqual(trainingActions('training'), { terminate: true, startAgain: false, publish: false, remove: false });
  assert.deepEqual(trainingActions('completed'), { terminate: false, startAgain: false, publish: true, remove: true });
  assert.deepEqual(trainingActions('failed'), { terminate: false, startAgain: true, publish: false, remove: true });
  assert.deepEqual(trainingActions('terminated'), { terminate: false, startAgain: true, publish: false, remove: true });
  assert.deepEqual(trainingActions('published'), { terminate: false, startAgain: false, publish: false, remove: true });
  assert.equal(trainingLabel(trans, 'completed'), 'training completed');
});
