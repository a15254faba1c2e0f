/**
 * The model page's training tasks (the seed's 训练任务管理) in the seed's six states, with their
 * progress and ETA, metrics and what each state allows: terminate, start again, publish, delete,
 * the job's view (log, curves) and the evaluation report.
 */
import { el } from '../platform/dom';
import { formatTime } from '../platform/format';
import { KeyedList, setAttr, setText } from '../platform/keyed';
import { actionButton, deleteTraining, publishTraining, startTrainingAgain, terminateTraining } from './actions';
import { ITraining } from './client';
import { IModelsUI } from './host';
import { IStateRow, pageSection, stateRow, updateStateRow } from './blocks';
import { trainingActions, trainingLabel } from './states';
import { formatEta, formatMetric } from './model';

interface IRow extends IStateRow {
  readonly what: HTMLSpanElement;
  readonly bar: HTMLProgressElement;
  readonly progress: HTMLSpanElement;
}

export class TrainingsSection {
  readonly node: HTMLElement;

  constructor(private readonly ui: IModelsUI) {
    const trans = ui.trans;
    this._list = el('ul', 'jp-ModelTrainings-list');
    this._rows = new KeyedList(this._list, {
      key: training => training.id,
      create: training => this._row(training),
      update: (row, training) => this._update(row, training)
    });
    const section = pageSection('jp-ModelTrainings', trans.__('Trainings'), trans.__('No training yet.'), this._list);
    this.node = section.node;
    this._empty = section.empty;
  }

  update(trainings: ITraining[]): void {
    this._empty.hidden = trainings.length > 0;
    // Newest first, as the seed's task list.
    this._rows.update([...trainings].sort((a, b) => b.created_at.localeCompare(a.created_at)));
  }

  private _row(training: ITraining): IRow {
    const row = stateRow('jp-ModelTraining', training.id);
    const what = el('span', 'jp-ModelTraining-what');
    const bar = el('progress', 'jp-ModelTraining-bar');
    bar.max = 1;
    const progress = el('span', 'jp-ModelTraining-progress');
    const top = el('div', 'jp-ModelTraining-line');
    top.append(row.state, what, bar, progress);
    const bottom = el('div', 'jp-ModelTraining-line');
    bottom.append(row.facts, row.actions);
    row.node.append(top, bottom);
    return { ...row, what, bar, progress };
  }

  private _update(row: IRow, training: ITraining): void {
    const trans = this.ui.trans;
    setText(
      row.what,
      training.version
        ? trans.__('version %1', training.version)
        : training.from_version
          ? trans.__('retrains %1', training.from_version)
          : trans.__('template %1 v%2', training.template, training.template_version)
    );
    const done = training.state === 'completed' || training.state === 'published';
    // A training with no figure yet (no step reported): an indeterminate bar, no percentage.
    const fraction = done ? 1 : (training.progress ?? (training.state === 'training' ? null : 0));
    if (fraction === null) {
      setAttr(row.bar, 'value', null);
    } else if (row.bar.getAttribute('value') === null || row.bar.value !== fraction) {
      row.bar.value = fraction;
    }
    row.bar.hidden = training.state === 'waiting';
    const eta = training.state === 'training' ? formatEta(training.eta_seconds) : '';
    const percent = fraction === null || training.state === 'waiting' ? null : Math.round(fraction * 100);
    setText(
      row.progress,
      percent === null ? '' : eta ? trans.__('%1 % · %2 left', percent, eta) : trans.__('%1 %', percent)
    );
    const metrics = Object.entries(training.metrics)
      .map(([name, value]) => `${name} ${formatMetric(value)}`)
      .join(' · ');
    const when = trans.__('%1 · %2', training.created_by, formatTime(training.finished_at ?? training.created_at));
    setText(row.facts, [when, metrics, training.reason ?? ''].filter(Boolean).join(' · '));
    row.facts.title = [training.data_paths.join(', '), training.reason ?? ''].filter(Boolean).join('\n');
    const key = `${training.state}:${training.job_id}:${training.evaluation ?? ''}`;
    if (updateStateRow(row, training.state, trainingLabel(trans, training.state), key)) {
      this._renderActions(row, training);
    }
  }

  private _renderActions(row: IRow, training: ITraining): void {
    const trans = this.ui.trans;
    const ui = this.ui;
    const can = trainingActions(training.state);
    const buttons = [
      actionButton(trans.__('Job'), 'job', () => ui.openJob(training.job_id), trans.__('Log and curves of the job'))
    ];
    if (training.evaluation) {
      const folder = training.evaluation;
      buttons.push(actionButton(trans.__('Report'), 'report', () => ui.openReport(folder)));
    } else if (training.state === 'completed') {
      const title = trans.__('Evaluate the trained run and open its report');
      buttons.push(actionButton(trans.__('Evaluate'), 'evaluate', () => ui.evaluateJob(training.job_id), title));
    }
    if (can.publish) {
      const publish = actionButton(
        trans.__('Publish'),
        'publish',
        () => {
          publish.disabled = true;
          void publishTraining(ui, training).then(version => (publish.disabled = version !== null));
        },
        trans.__('Publish as the next version')
      );
      publish.classList.add('jp-mod-accept');
      buttons.push(publish);
    }
    if (can.terminate) {
      buttons.push(actionButton(trans.__('Terminate'), 'terminate', () => void terminateTraining(ui, training)));
    }
    if (can.startAgain) {
      const title = trans.__('Start this training again as a new job');
      buttons.push(actionButton(trans.__('Start again'), 'start', () => void startTrainingAgain(ui, training), title));
    }
    if (can.remove) {
      buttons.push(actionButton(trans.__('Delete'), 'delete', () => void deleteTraining(ui, training)));
    }
    row.actions.replaceChildren(...buttons);
  }

  private _list: HTMLUListElement;
  private _empty: HTMLParagraphElement;
  private _rows: KeyedList<ITraining, IRow>;
}
