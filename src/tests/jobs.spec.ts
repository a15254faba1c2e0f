import { test } from 'node:test';
import assert from 'node:assert/strict';

import { chartGeometry, splitRuns, thinPoints } from '../jobs/chart';
import { exitFact, finishedMessage, runLabel } from '../jobs/labels';
import { earlierPage, LogBuffer, utf8Length } from '../jobs/logbuffer';
import {
  canRestart,
  consoleOutcome,
  formatDuration,
  formatNumber,
  IJobLogChunk,
  isJobScript,
  liveRuntime,
  newestFinishedAt,
  parseJobStatusEvent,
  progressFacts,
  runMagic
} from '../jobs/model';
import { isFinished, statusClass, statusLabel } from '../jobs/states';

/** A translation bundle that fills %1, %2 like JupyterLab's. */
const trans = {
  __: (msg: string, ...args: unknown[]): string => msg.replace(/%(\d)/g, (_, n: string) => String(args[Number(n) - 1]))
};

function chunk(offset: number, data: string, complete = false): IJobLogChunk {
  const next = offset + utf8Length(data);
  return { data, offset, next_offset: next, size: next, complete };
}

test('formatDuration pads minutes and seconds once hours or minutes show', () => {
  assert.equal(formatDuration(3723), '1h 02m 03s');
  assert.equal(formatDuration(123.9), '2m 03s');
  assert.equal(formatDuration(3), '3s');
  assert.equal(formatDuration(0), '0s');
  assert.equal(formatDuration(-5), '0s');
  assert.equal(formatDuration(null), '0s');
  assert.equal(formatDuration(26 * 3600), '26h 00m 00s');
});

test('liveRuntime grows for running jobs only, by the time since the fetch', () => {
  const fetched = 1_000_000;
  assert.equal(liveRuntime({ status: 'running', runtime_seconds: 10 }, fetched, fetched + 5000), 15);
  assert.equal(liveRuntime({ status: 'success', runtime_seconds: 10 }, fetched, fetched + 5000), 10);
  assert.equal(liveRuntime({ status: 'pending', runtime_seconds: null }, fetched, fetched + 5000), null);
  // A clock that went backwards never makes the runtime shrink.
  assert.equal(liveRuntime({ status: 'running', runtime_seconds: 10 }, fetched, fetched - 5000), 10);
});

test('statuses: finished ones, their classes and labels', () => {
  assert.deepEqual((['pending', 'running', 'success', 'terminated', 'failed'] as const).map(isFinished), [
    false,
    false,
    true,
    true,
    true
  ]);
  assert.equal(statusClass('running'), 'jp-JobStatus-running');
  assert.equal(statusLabel(trans, 'terminated'), 'terminated');
  assert.ok(canRestart({ status: 'failed', env: 'cpu' }));
  assert.ok(!canRestart({ status: 'running', env: 'gpu' }));
  assert.ok(!canRestart({ status: 'success', env: 'console' }));
});

test('finishedMessage names the job, its status and the reason', () => {
  assert.equal(finishedMessage(trans, { name: 'train', status: 'success', reason: null }), 'Job train succeeded');
  assert.equal(
    finishedMessage(trans, { name: 'train', status: 'failed', reason: 'exit code 1' }),
    'Job train failed: exit code 1'
  );
  assert.equal(
    finishedMessage(trans, { name: 'train', status: 'terminated', reason: 'terminated on request' }),
    'Job train was stopped by you'
  );
  assert.equal(
    finishedMessage(trans, { name: 'train', status: 'terminated', reason: 'The console was closed' }),
    'Job train was stopped by you: The console was closed'
  );
});

test('exitFact: a stop the user asked for, a signal, or the exit code', () => {
  assert.deepEqual(exitFact(trans, { status: 'terminated', exit_code: 0 }), ['Exit', 'stopped by you']);
  assert.deepEqual(exitFact(trans, { status: 'terminated', exit_code: -15 }), ['Exit', 'stopped by you']);
  assert.deepEqual(exitFact(trans, { status: 'failed', exit_code: -9 }), ['Exit', 'killed by signal SIGKILL']);
  assert.deepEqual(exitFact(trans, { status: 'failed', exit_code: -31 }), ['Exit', 'killed by signal 31']);
  assert.deepEqual(exitFact(trans, { status: 'failed', exit_code: 3 }), ['Exit code', '3']);
  assert.equal(exitFact(trans, { status: 'running', exit_code: null }), null);
});

test('isJobScript accepts .py and .ipynb only', () => {
  assert.ok(isJobScript('a/train.py'));
  assert.ok(isJobScript('Notebook.IPYNB'));
  assert.ok(!isJobScript('train.pyc'));
  assert.ok(!isJobScript('README.md'));
});

test('progressFacts gives step/total and a clamped fraction', () => {
  assert.deepEqual(progressFacts({ step: 5, total: 10, fraction: NaN }), { text: '5/10', fraction: 0.5 });
  assert.deepEqual(progressFacts({ step: 12, total: 10, fraction: 1.2 }), { text: '12/10', fraction: 1 });
  assert.deepEqual(progressFacts({ step: 3, total: 0, fraction: NaN }), { text: '3', fraction: null });
  assert.equal(progressFacts(null), null);
});

test('formatNumber keeps labels short', () => {
  assert.equal(formatNumber(10), '10');
  assert.equal(formatNumber(0.123456), '0.1235');
  assert.equal(formatNumber(0.00001234), '1.23e-5');
  assert.equal(formatNumber(0), '0');
});

test('runMagic quotes odd file names and passes arguments as typed', () => {
  assert.equal(runMagic('train.py', ''), '%run train.py');
  assert.equal(runMagic('train.py', ' --epochs 3 --name "a b" '), '%run train.py --epochs 3 --name "a b"');
  assert.equal(runMagic('my script.py', ''), "%run 'my script.py'");
  assert.equal(runMagic("it's.py", ''), "%run 'it'\"'\"'s.py'");
});

test('newestFinishedAt keeps the latest time, comparing instants not strings', () => {
  const jobs = [
    { finished_at: '2024-05-01T10:00:00+00:00' },
    { finished_at: null },
    { finished_at: '2024-05-01T12:00:00+02:00' }, // 10:00Z, not later
    { finished_at: '2024-05-01T10:30:00Z' }
  ];
  assert.equal(newestFinishedAt(jobs, '2024-05-01T09:00:00Z'), '2024-05-01T10:30:00Z');
  assert.equal(newestFinishedAt([], '2024-05-01T09:00:00Z'), '2024-05-01T09:00:00Z');
  assert.equal(newestFinishedAt(jobs, '2030-01-01T00:00:00Z'), '2030-01-01T00:00:00Z');
});

test('parseJobStatusEvent reads job-status events and ignores others', () => {
  const schema_id = 'https://events.jlab-platform.dev/job-status';
  assert.deepEqual(parseJobStatusEvent({ schema_id, job_id: 'j1', name: 'train', status: 'failed', reason: 'boom' }), {
    job_id: 'j1',
    name: 'train',
    status: 'failed',
    reason: 'boom'
  });
  assert.deepEqual(parseJobStatusEvent({ schema_id, job_id: 'j2', name: '', status: 'success', reason: null }), {
    job_id: 'j2',
    name: 'j2',
    status: 'success',
    reason: null
  });
  assert.equal(
    parseJobStatusEvent({ schema_id: 'https://events.jupyter.org/x', job_id: 'j1', status: 'failed' }),
    null
  );
  assert.equal(parseJobStatusEvent({ schema_id, job_id: 'j1', status: 'exploded' }), null);
});

test('consoleOutcome reports the error of the run, or success', () => {
  assert.deepEqual(consoleOutcome(null, true, 'stopped'), { status: 'success' });
  assert.deepEqual(consoleOutcome({ ename: 'ValueError', evalue: 'bad' }, true, 'stopped'), {
    status: 'failed',
    reason: 'ValueError: bad'
  });
  assert.deepEqual(consoleOutcome(null, false, 'stopped'), { status: 'failed', reason: 'stopped' });
});

test('chartGeometry scales steps and values into the box, y upwards', () => {
  const size = { width: 100, height: 50, padding: 5 };
  const g = chartGeometry(
    [
      { step: 2, value: 0, run: 0 },
      { step: 0, value: 1, run: 0 },
      { step: 1, value: 0.5, run: 0 }
    ],
    size
  );
  assert.deepEqual(g.lines, [{ run: 0, points: '5,5 50,25 95,45' }]);
  assert.deepEqual([g.minX, g.maxX, g.minY, g.maxY], [0, 2, 0, 1]);
  assert.deepEqual(g.last, { step: 2, value: 0, run: 0 });
});

test('chartGeometry copes with flat, single and non-finite points', () => {
  const size = { width: 100, height: 50, padding: 5 };
  assert.equal(
    chartGeometry(
      [
        { step: 0, value: 3, run: 0 },
        { step: 1, value: 3, run: 0 }
      ],
      size
    ).lines[0].points,
    '5,25 95,25'
  );
  assert.equal(chartGeometry([{ step: 7, value: 1, run: 0 }], size).lines[0].points, '48,25 52,25');
  const empty = chartGeometry([{ step: 0, value: NaN, run: 0 }], size);
  assert.deepEqual(empty.lines, []);
  assert.equal(empty.last, null);
});

test('two trainings in one job are two lines on shared axes, not one zigzag', () => {
  const size = { width: 100, height: 50, padding: 5 };
  const points = [
    { step: 1, value: 1, run: 0 },
    { step: 2, value: 0.5, run: 0 },
    { step: 1, value: 0.8, run: 1 },
    { step: 2, value: 0, run: 1 }
  ];
  const g = chartGeometry(points, size);
  assert.deepEqual(g.lines, [
    { run: 0, points: '5,5 95,25' },
    { run: 1, points: '5,13 95,45' }
  ]);
  assert.deepEqual(g.last, { step: 2, value: 0, run: 1 });
  const runs = splitRuns([...points].reverse());
  assert.deepEqual([...runs.keys()], [0, 1]);
  assert.deepEqual(
    runs.get(1)!.map(p => p.step),
    [1, 2]
  );
});

test('runLabel names a run by its folder, else by its number', () => {
  const runs = [
    { index: 0, label: null },
    { index: 1, label: 'run-20260101-120000' }
  ];
  assert.equal(runLabel(trans, 0, runs), 'run 1');
  assert.equal(runLabel(trans, 1, runs), 'run-20260101-120000');
  assert.equal(runLabel(trans, 2, undefined), 'run 3');
});

test('thinPoints keeps spikes and the last point', () => {
  const points = Array.from({ length: 1000 }, (_, i) => ({ step: i, value: i === 500 ? 100 : 0, run: 0 }));
  const thin = thinPoints(points, 100);
  assert.ok(thin.length <= 101, `kept ${thin.length}`);
  assert.ok(thin.some(p => p.value === 100));
  assert.equal(thin[thin.length - 1].step, 999);
  assert.equal(thinPoints(points.slice(0, 10), 100).length, 10);
});

test('LogBuffer follows the log and drops whole pieces from the start past the limit', () => {
  const log = new LogBuffer(10);
  let change = log.append(chunk(100, 'abcd'));
  assert.deepEqual([log.start, log.end, log.text], [100, 104, 'abcd']);
  assert.ok(log.hasEarlier);
  change = log.append(chunk(104, 'efgh'));
  assert.equal(change.droppedHead, 0);
  change = log.append(chunk(108, 'ijkl'));
  assert.equal(change.droppedHead, 1);
  assert.deepEqual([log.start, log.end, log.text, log.dropped], [104, 112, 'efghijkl', true]);
  // An empty chunk (nothing new yet) changes nothing but is harmless.
  change = log.append(chunk(112, ''));
  assert.equal(change.added, null);
  assert.equal(log.end, 112);
});

test('LogBuffer trims a single oversized piece at a line break and keeps byte offsets', () => {
  const log = new LogBuffer(10);
  const change = log.append(chunk(0, 'é1\nline2\nline3\n'));
  assert.ok(change.trimmedFirst);
  assert.equal(log.text, 'line3\n');
  assert.equal(log.start, utf8Length('é1\nline2\n'));
  assert.equal(log.end, utf8Length('é1\nline2\nline3\n'));
});

test('LogBuffer prepends earlier pages and hides the end when over the limit', () => {
  const log = new LogBuffer(10);
  log.append(chunk(8, 'ijkl'));
  assert.deepEqual(earlierPage(log.start, 4), { offset: 4, max_bytes: 4 });
  log.prepend(chunk(4, 'efgh'));
  assert.deepEqual([log.start, log.text, log.tailHidden], [4, 'efghijkl', false]);
  const change = log.prepend(chunk(0, 'abcd'));
  assert.equal(change.droppedTail, 1);
  assert.deepEqual([log.start, log.end, log.text, log.tailHidden], [0, 8, 'abcdefgh', true]);
  assert.equal(earlierPage(log.start), null);
  log.reset();
  assert.deepEqual([log.text, log.tailHidden, log.dropped], ['', false, false]);
});

test('utf8Length counts bytes like the server', () => {
  assert.equal(utf8Length('abc'), 3);
  assert.equal(utf8Length('é'), 2);
  assert.equal(utf8Length('中'), 3);
  assert.equal(utf8Length('😀'), 4);
});
