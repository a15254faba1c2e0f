/**
 * The "Crowdsourcing" section of the Platform panel: statistics per dataset, then the tasks
 * with their mark (blue: in progress, green: finished, red: waiting after a failure).
 */
import type { TranslationBundle } from '@jupyterlab/translation';
import { addIcon, refreshIcon } from '@jupyterlab/ui-components';

import { crowdApi } from './client';
import { el, iconButton } from '../platform/dom';
import { errorMessage } from '../platform/format';
import { KeyedList, setAttr, setChildren, setText } from '../platform/keyed';
import { WhileShownWidget } from '../platform/shown';
import { ICrowdDatasetStats, ICrowdTask, ICrowdTaskList, progressShare } from './model';
import { bar, mark, setBar, setMark, setMarkKind } from './parts';
import { MarkKind, stateLabel } from './states';

const POLL_MS = 5000;

export interface ICrowdUI {
  trans: TranslationBundle;
  openTask: (id: string) => void;
  newTask: () => void;
  /** Something changed (a task was created, a round ended): lists should refresh. */
  changed: () => void;
}

interface IDatasetRow {
  node: HTMLLIElement;
  counts: HTMLElement;
  inProgress: HTMLElement;
  finished: HTMLElement;
  labeled: HTMLElement;
}

interface ITaskRow {
  node: HTMLLIElement;
  open: HTMLButtonElement;
  mark: HTMLElement;
  name: HTMLElement;
  dataset: HTMLElement;
  status: HTMLElement;
  numbers: HTMLElement;
  bar: HTMLElement;
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
    this._datasets = new KeyedList(el('ul', 'jp-CrowdDatasets'), {
      key: stats => stats.dataset,
      create: stats => this._datasetRow(stats),
      update: (row, stats) => this._updateDataset(row, stats)
    });
    this._tasksTitle = el('div', 'jp-CrowdSection-subtitle', trans.__('Tasks'));
    this._tasks = new KeyedList(el('ul', 'jp-CrowdTasks'), {
      key: task => task.id,
      create: task => this._taskRow(task),
      update: (row, task) => this._updateTask(row, task)
    });
    this._message = el('div', 'jp-CrowdSection-message');
    this.node.append(
      header,
      this._datasetsTitle,
      this._datasets.parent,
      this._tasksTitle,
      this._tasks.parent,
      this._message
    );
  }

  async refresh(): Promise<void> {
    try {
      this._render(await crowdApi.listTasks());
    } catch (error) {
      setText(this._message, this.ui.trans.__('Cannot list labeling tasks: %1', errorMessage(error)));
    }
  }

  protected readonly pollMs = POLL_MS;

  private _render(list: ICrowdTaskList): void {
    const trans = this.ui.trans;
    this._datasets.update(list.datasets);
    this._tasks.update(list.tasks);
    this._datasetsTitle.hidden = this._tasksTitle.hidden = list.tasks.length === 0;
    setText(
      this._message,
      list.tasks.length
        ? ''
        : trans.__('No labeling task yet. Create one to have a dataset labeled, by you or by invited people.')
    );
  }

  private _datasetRow(stats: ICrowdDatasetStats): IDatasetRow {
    const node = el('li', 'jp-CrowdDataset');
    node.dataset.dataset = stats.dataset;
    const name = el('span', 'jp-CrowdDataset-name', stats.dataset);
    name.title = stats.dataset;
    const counts = el('span', 'jp-CrowdDataset-counts');
    // Each count says what it counts: "● 1 in progress · ● 2 finished · 5 samples labeled".
    const count = (kind: MarkKind): HTMLElement => {
      const part = el('span', 'jp-CrowdDataset-count');
      const dot = mark();
      setMarkKind(dot, this.ui.trans, kind);
      part.append(dot, el('span'));
      return part;
    };
    const row = {
      node,
      counts,
      inProgress: count('in_progress'),
      finished: count('finished'),
      labeled: el('span', 'jp-CrowdDataset-labels')
    };
    node.append(name, counts);
    return row;
  }

  private _updateDataset(row: IDatasetRow, stats: ICrowdDatasetStats): void {
    const trans = this.ui.trans;
    setText(row.inProgress.lastChild!, trans._n('%1 in progress', '%1 in progress', stats.in_progress));
    setText(row.finished.lastChild!, trans._n('%1 finished', '%1 finished', stats.finished));
    setText(row.labeled, trans._n('%1 sample labeled', '%1 samples labeled', stats.samples));
    // A count of no tasks is left out, not hidden: the row reads (and is tested) as it shows.
    const parts = [stats.in_progress ? row.inProgress : null, stats.finished ? row.finished : null, row.labeled];
    setChildren(
      row.counts,
      parts.filter((part): part is HTMLElement => part !== null)
    );
    const title = trans.__(
      '%1 task(s) in progress, %2 finished; %3 labels on %4 samples',
      stats.in_progress,
      stats.finished,
      stats.labels,
      stats.samples
    );
    setAttr(row.counts, 'title', title);
  }

  private _taskRow(task: ICrowdTask): ITaskRow {
    const node = el('li', 'jp-CrowdTask');
    node.dataset.taskId = task.id;
    const open = el('button', 'jp-PlatformPanel-item jp-CrowdTask-open');
    open.type = 'button';
    open.addEventListener('click', () => this.ui.openTask(task.id));
    const row = {
      node,
      open,
      mark: mark(),
      name: el('span', 'jp-CrowdTask-name'),
      dataset: el('span', 'jp-CrowdTask-dataset'),
      status: el('span', 'jp-CrowdTask-status'),
      numbers: el('span', 'jp-CrowdTask-progress'),
      bar: bar()
    };
    const top = el('span', 'jp-CrowdTask-line');
    top.append(row.mark, row.name);
    const bottom = el('span', 'jp-CrowdTask-line jp-CrowdTask-sub');
    bottom.append(row.dataset, row.status, row.numbers);
    open.append(top, bottom, row.bar);
    node.append(open);
    return row;
  }

  private _updateTask(row: ITaskRow, task: ICrowdTask): void {
    const trans = this.ui.trans;
    setAttr(row.node, 'data-state', task.state);
    setAttr(row.open, 'title', trans.__('Open task %1', task.name));
    setMark(row.mark, trans, task);
    setText(row.name, task.name);
    setText(row.dataset, task.dataset);
    setText(row.status, stateLabel(trans, task));
    setText(row.numbers, trans.__('%1 of %2', task.progress.labels, task.progress.needed));
    setBar(row.bar, progressShare(task.progress));
  }

  private _datasetsTitle: HTMLDivElement;
  private _tasksTitle: HTMLDivElement;
  private _datasets: KeyedList<ICrowdDatasetStats, IDatasetRow>;
  private _tasks: KeyedList<ICrowdTask, ITaskRow>;
  private _message: HTMLDivElement;
}
