import { test } from 'node:test';
import assert from 'node:assert/strict';

import type { ICapture } from '../capture/client';
import {
  capturedName,
  defaultName,
  isValidName,
  loadsExtension,
  restoreSource,
  shouldOffer,
  withCapture
} from '../capture/model';
import { stateClass, stateLabel } from '../capture/states';

function capture(fields: Partial<ICapture>): ICapture {
  return {
    name: 'train-cell3',
    notebook: 'train.ipynb',
    cell_id: 'c3',
    kernel_id: 'k',
    source: '',
    state: 'finished',
    reason: null,
    started_at: '2026-11-25T10:00:00+00:00',
    finished_at: '2026-11-25T11:00:00+00:00',
    updated_at: '2026-11-25T11:00:00+00:00',
    size: 10,
    ...fields
  };
}

test('default names come from the notebook and the cell, within the server’s rules', () => {
  assert.equal(defaultName('experiments/train.ipynb', 2), 'train-cell3');
  assert.equal(defaultName('数据 分析 (v2).ipynb', 0), 'v2-cell1');
  assert.equal(defaultName('', 0), 'capture-cell1');
  const long = defaultName(`${'x'.repeat(300)}.ipynb`, 9);
  assert.ok(isValidName(long) && long.endsWith('-cell10') && long.length === 100);
  for (const bad of ['', '..', '.hidden', 'a b', 'a/b', 'x'.repeat(101), '-dash']) {
    assert.equal(isValidName(bad), false, bad);
  }
});

test('the capture line is added once, and replaced when the name changes', () => {
  assert.equal(withCapture('print(1)', 'a'), '%%capture_output a\nprint(1)');
  assert.equal(withCapture('%%capture_output a\nprint(1)', 'b'), '%%capture_output b\nprint(1)');
  assert.equal(withCapture('', 'a'), '%%capture_output a\n');
  assert.equal(capturedName('%%capture_output run-1\nfor x in y: pass'), 'run-1');
  assert.equal(capturedName('print("%%capture_output x")'), null);
  assert.equal(restoreSource('run-1'), '%restore_output run-1');
  assert.ok(loadsExtension('import os\n%load_ext jlab_platform.kernel\n'));
  assert.ok(!loadsExtension('# %load_ext jlab_platform.kernel'));
});

test('opening a notebook offers captures that run on or changed after its last save', () => {
  const saved = '2026-11-25T10:30:00+00:00';
  assert.ok(shouldOffer(capture({ state: 'running', finished_at: null }), saved));
  assert.ok(shouldOffer(capture({ state: 'incomplete', finished_at: null }), saved));
  assert.ok(shouldOffer(capture({}), saved));
  assert.ok(!shouldOffer(capture({}), '2026-11-25T12:00:00+00:00'));
  assert.ok(shouldOffer(capture({}), null));
});

test('every capture state has its words and badge class', () => {
  const trans = { __: (msg: string) => msg };
  assert.equal(stateLabel(trans, 'incomplete'), 'did not finish');
  assert.equal(stateLabel(trans, 'finished'), 'finished');
  assert.equal(stateClass('running'), 'jp-CaptureState jp-mod-running');
});
