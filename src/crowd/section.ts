/**
 * The "Crowdsourcing" section of the Platform panel: statistics per dataset, then the tasks
 * with their mark (blue: in progress, green: finished, red: waiting after a failure).
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, refreshIcon } from '@jupyterlab/ui-components';

import { crowdApi } from '../api';
import { el, iconButton } from '../platform/dom';
import { errorMessage } from '../platform/format';
import { WhileShownWidget } from '../platform/shown';
import { ICrowdDatasetStats, ICrowdTask, ICrowdTaskList, progressShare } from './model';

const POLL_MS = 5000;

export interface ICrowdUI {
  trans: TranslationBundle;
  openTask: (id: string) => void;
  newTask: () => void;
  /** Something changed (a task was created, a round ended): lists should refresh. */
  changed: () => void;
}

export function stateLabel(trans: TranslationBundle, task: ICrowdTask): string {
  switch (task.state) {
    case 'scoring':
      return trans.__('Choosing samples (round %1)', task.round);
    case 'labeling':
      return task.round_complete
        ? trans.__('Round %1 complete', task.round)
        : trans.__('Labeling round %1 of %2', task.round, task.max_rounds);
    case 'failed':
      return trans.__('Round %1 failed', task.round);
    default:
      return task.finished_incomplete ? trans.__('Finished (samples left unlabeled)') : trans.__('Finished');
  }
}

/** The seed's marks: blue while in progress, green when finished; red when a round failed. */
export function markFor(trans: TranslationBundle, task: ICrowdTask): HTMLElement {
  const mark = el('span', `jp-CrowdMark jp-CrowdMark-${task.state === 'failed' ? 'failed' : task.mark}`);
  const label = task.mark === 'finished' ? trans.__('Finished') : trans.__('In progress');
  mark.title = label;
  mark.setAttribute('role', 'img');
  mark.setAttribute('aria-label', label);
  return mark;
}

export class CrowdSection extends WhileShownWidget {
  constructor(private readonly ui: ICrowdUI) {
    super();
    const trans = ui.trans;
    this.addClass('jp-CrowdSection');
    this.id = 'jlab-platform-crowd-section';
    const header = el('div', 'jp-PlatformPanel-top');
    const title = el('div', 'jp-PlatformPanel-title', trans.__('Crowdsourcing'));
    const actions = el('span', 'jp-CrowdSection-actions');
    actions.append(
      iconButton(addIcon, trans.__('New labeling task'), 'new-task', () => ui.newTask()),
      iconButton(refreshIcon, trans.__('Refresh'), 'refresh', () => void this.refresh())
    );
    header.append(title, actions);
    this._datasetsTitle = el('div', 'jp-CrowdSection-subtitle', trans.__('Datasets'));
    this._datasets = el('ul', 'jp-CrowdDatasets');
    this._tasksTitle = el('div', 'jp-CrowdSection-subtitle', trans.__('Tasks'));
    this._tasks = el('ul', 'jp-CrowdTasks');
    this._message = el('div', 'jp-CrowdSection-message');
    this.node.append(header, this._datasetsTitle, this._datasets, this._tasksTitle, this._tasks, this._message);
  }

  async refresh(): Promise<void> {
    try {
      this._render(await crowdApi.listTasks());
    } catch (error) {
      this._message.textContent = this.ui.trans.__('Cannot list labeling tasks: %1', errorMessage(error));
    }
  }

  protected readonly pollMs = POLL_MS;

  private _render(list: ICrowdTaskList): void {
    const trans = this.ui.trans;
    this._datasets.replaceChildren(...list.datasets.map(stats => this._datasetRow(stats)));
    this._tasks.replaceChildren(...list.tasks.map(task => this._taskRow(task)));
    this._datasetsTitle.hidden = this._tasksTitle.hidden = list.tasks.length === 0;
    this._message.textContent = list.tasks.length
      ? ''
      : trans.__('No labeling task yet. Create one to have a dataset labeled, by you or by invited people.');
  }

  private _datasetRow(stats: ICrowdDatasetStats): HTMLElement {
    const trans = this.ui.trans;
    const row = el('li', 'jp-CrowdDataset');
    row.dataset.dataset = stats.dataset;
    const name = el('span', 'jp-CrowdDataset-name', stats.dataset);
    name.title = stats.dataset;
    const counts = el('span', 'jp-CrowdDataset-counts');
    // Each count says what it counts: "● 1 in progress · ● 2 finished · 5 samples labeled".
    const tasks = (mark: string, text: string): HTMLElement => {
      const part = el('span', 'jp-CrowdDataset-count');
      part.append(el('span', `jp-CrowdMark jp-CrowdMark-${mark}`), el('span', '', text));
      return part;
    };
    if (stats.in_progress) {
      counts.append(tasks('in_progress', trans._n('%1 in progress', '%1 in progress', stats.in_progress)));
    }
    if (stats.finished) {
      counts.append(tasks('finished', trans._n('%1 finished', '%1 finished', stats.finished)));
    }
    const labeled = trans._n('%1 sample labeled', '%1 samples labeled', stats.samples);
    counts.append(el('span', 'jp-CrowdDataset-labels', labeled));
    counts.title = trans.__(
      '%1 task(s) in progress, %2 finished; %3 labels on %4 samples',
      stats.in_progress,
      stats.finished,
      stats.labels,
      stats.samples
    );
    row.append(name, counts);
    return row;
  }

  private _taskRow(task: ICrowdTask): HTMLElement {
    const trans = this.ui.trans;
    const row = el('li', 'jp-CrowdTask');
    row.dataset.taskId = task.id;
    row.dataset.state = task.state;
    const open = el('button', 'jp-CrowdTask-open');
    open.type = 'button';
    open.title = trans.__('Open task %1', task.name);
    const top = el('span', 'jp-CrowdTask-line');
    top.append(markFor(trans, task), el('span', 'jp-CrowdTask-name', task.name));
    const status = el('span', 'jp-CrowdTask-status', stateLabel(trans, task));
    const bar = el('span', 'jp-CrowdBar');
    const fill = el('span', 'jp-CrowdBar-fill');
    fill.style.width = `${(100 * progressShare(task.progress)).toFixed(1)}%`;
    bar.append(fill);
    const numbers = el(
      'span',
      'jp-CrowdTask-progress',
      trans.__('%1 of %2', task.progress.labels, task.progress.needed)
    );
    const bottom = el('span', 'jp-CrowdTask-line jp-CrowdTask-sub');
    bottom.append(el('span', 'jp-CrowdTask-dataset', task.dataset), status, numbers);
    open.append(top, bottom, bar);
    open.addEventListener('click', () => this.ui.openTask(task.id));
    row.append(open);
    return row;
  }

  private _datasetsTitle: HTMLDivElement;
  private _tasksTitle: HTMLDivElement;
  private _datasets: HTMLUListElement;
  private _tasks: HTMLUListElement;
  private _message: HTMLDivElement;
}
