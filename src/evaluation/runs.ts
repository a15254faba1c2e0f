/** A module's training runs with Evaluate and their reports: shown in the Modules panel's detail view. */
import type { TranslationBundle } from '@jupyterlab/translation';

import { el } from '../platform/dom';
import { errorMessage, formatTime } from '../platform/format';
import { evaluationApi, TrainingRun } from './client';

const SHOWN = 8;

export interface IRunActions {
  evaluate(run: TrainingRun): Promise<void>;
  openReport(id: string): void;
}

/** The list's node fills itself once the runs are fetched. */
export function trainingRuns(trans: TranslationBundle, module: string, actions: IRunActions): HTMLElement {
  const section = el('section', 'jp-EvalRuns');
  section.append(el('h3', '', trans.__('Runs')));
  const list = el('ul', 'jp-EvalRuns-list');
  section.append(list);
  const fill = async (): Promise<void> => {
    let runs: TrainingRun[];
    try {
      runs = await evaluationApi.runs({ module });
    } catch (error) {
      list.replaceChildren(el('li', 'jp-EvalRuns-empty', errorMessage(error)));
      return;
    }
    if (!runs.length) {
      list.replaceChildren(el('li', 'jp-EvalRuns-empty', trans.__('No training runs yet.')));
      return;
    }
    list.replaceChildren(...runs.slice(0, SHOWN).map(run => runItem(trans, run, actions, fill)));
  };
  void fill();
  return section;
}

function runItem(
  trans: TranslationBundle,
  run: TrainingRun,
  actions: IRunActions,
  refresh: () => Promise<void>
): HTMLElement {
  const item = el('li', 'jp-EvalRuns-run');
  item.dataset.run = run.run;
  const name = el('span', 'jp-EvalRuns-name', run.run.split('/').pop() ?? run.run);
  name.title = run.run;
  // kernel/run_states.py: the statuses a run.json can have.
  const statuses: Record<string, string> = {
    running: trans.__('running'),
    complete: trans.__('complete'),
    failed: trans.__('failed'),
    interrupted: trans.__('interrupted')
  };
  const status = statuses[run.status] ?? run.status;
  const when = el(
    'span',
    'jp-EvalRuns-when',
    trans.__('%1 · %2', status, formatTime(run.finished_at ?? run.started_at))
  );
  const evaluate = el('button', 'jp-Button jp-mod-styled jp-mod-minimal jp-EvalRuns-evaluate', trans.__('Evaluate'));
  evaluate.type = 'button';
  evaluate.disabled = run.status !== 'complete';
  evaluate.title = evaluate.disabled
    ? trans.__('Only a complete run can be evaluated')
    : trans.__('Evaluate this run as a job and open its report');
  evaluate.addEventListener('click', () => void actions.evaluate(run).then(refresh));
  const top = el('div', 'jp-EvalRuns-top');
  top.append(name, when, evaluate);
  item.append(top);
  if (run.evaluations.length) {
    const reports = el('div', 'jp-EvalRuns-reports');
    for (const evaluation of run.evaluations.slice(0, 3)) {
      const link = el('button', 'jp-EvalRuns-report', `${evaluation.data} · ${evaluation.status}`);
      link.type = 'button';
      link.title = trans.__('Open the report %1', evaluation.id);
      link.addEventListener('click', () => actions.openReport(evaluation.id));
      reports.append(link);
    }
    item.append(reports);
  }
  return item;
}
