/**
 * One labeling task in the main area: Status (owner actions), Progress and Results tabs.
 * Polled while shown; each refresh updates the tabs in place (see platform/keyed.ts).
 */
import { MainAreaWidget } from '@jupyterlab/apputils';
import type { Message } from '@lumino/messaging';
import type { ITranslator } from '@jupyterlab/translation';
import { BoxLayout, TabPanel, Widget } from '@lumino/widgets';

import { crowdApi } from './client';
import { CoalescedLoad } from '../platform/coalesce';
import { el } from '../platform/dom';
import { errorMessage, formatTime } from '../platform/format';
import { KeyedList, setChildren, setText } from '../platform/keyed';
import { showError } from '../platform/notify';
import { WhileShownWidget } from '../platform/shown';
import { askInvite, confirmAction, showInviteLink } from './dialogs';
import { ICrowdLabeler, ICrowdTaskDetail } from './model';
import { button, mark, setMark } from './parts';
import { labelRemaining } from './remaining';
import { ProgressTab, ResultsTab } from './rounds';
import { ICrowdUI } from './section';
import { moduleFormatLabel, stateLabel, strategyLabel } from './states';

const POLL_MS = 3000;

export interface ICrowdViewUI extends ICrowdUI {
  /** For JupyterLab's own words around the view (the tab's screen-reader labels). */
  translator: ITranslator;
  openJob: (id: string) => void;
  openPath: (path: string) => void;
}

type FactKey = 'dataset' | 'module' | 'classes' | 'round' | 'perRound' | 'progress' | 'created' | 'description';

interface ILabelerRow {
  node: HTMLTableRowElement;
  name: HTMLElement;
  labels: HTMLElement;
  link: HTMLElement;
  action: HTMLElement;
  revoke: HTMLButtonElement;
}

export class TaskView extends WhileShownWidget {
  constructor(
    private readonly ui: ICrowdViewUI,
    readonly taskId: string
  ) {
    super();
    const trans = ui.trans;
    this.addClass('jp-CrowdTaskView');
    const tabs = new TabPanel();
    this._progress = new ProgressTab(trans);
    this._results = new ResultsTab(trans, ui.openPath);
    tabs.addWidget(tab(trans.__('Status'), 'status', this._buildStatus()));
    tabs.addWidget(tab(trans.__('Progress'), 'progress', this._progress.node));
    tabs.addWidget(tab(trans.__('Results'), 'results', this._results.node));
    const layout = new BoxLayout();
    layout.addWidget(tabs);
    this.layout = layout;
  }

  /** Ask the server and update the tabs; overlapping calls collapse into one more round. */
  refresh(): Promise<void> {
    return this._load.run();
  }

  protected readonly pollMs = POLL_MS;

  /** A tab restored behind others still fetches once: its title names the task. */
  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    if (!this.isVisible && this._task === null) {
      void this.refresh();
    }
  }

  /** A finished task changes only by an action (which refreshes): not polled. */
  protected async poll(): Promise<boolean> {
    if (!document.hidden && this._task?.state !== 'finished') {
      await this.refresh();
    }
    return true;
  }

  private async _fetch(): Promise<void> {
    let task: ICrowdTaskDetail;
    try {
      task = await crowdApi.getTask(this.taskId);
    } catch (error) {
      this._error.hidden = false;
      setText(this._error, errorMessage(error));
      return;
    }
    if (this.isDisposed) {
      return;
    }
    this._error.hidden = true;
    this._task = task;
    this.title.label = task.name;
    this._updateStatus(task);
    this._progress.update(task);
    this._results.update(task);
  }

  // -- Status ----------------------------------------------------------------

  private _buildStatus(): HTMLElement {
    const trans = this.ui.trans;
    const head = el('div', 'jp-CrowdTaskView-head');
    head.append(this._mark, this._name, this._state);
    const labels: Record<FactKey, string> = {
      dataset: trans.__('Dataset'),
      module: trans.__('Module'),
      classes: trans.__('Classes'),
      round: trans.__('Round'),
      perRound: trans.__('Per round'),
      progress: trans.__('Progress'),
      created: trans.__('Created'),
      description: trans.__('Description')
    };
    const facts = el('dl', 'jp-CrowdFacts');
    for (const [key, label] of Object.entries(labels) as [FactKey, string][]) {
      const name = el('dt', '', label);
      const value = el('dd');
      this._facts.set(key, [name, value]);
      facts.append(name, value);
    }
    const openJob = (): void => {
      const jobId = this._task?.job_id;
      if (jobId) {
        this.ui.openJob(jobId);
      }
    };
    this._problemJob = button(trans.__('Open the job’s log'), 'open-job', openJob);
    this._note.append(
      trans.__('The module runs as a job; its log shows what it does.'),
      button(trans.__('Open the job’s log'), 'open-job', openJob)
    );
    this._remaining.title = trans.__('Label the samples of this round that still want labels (ones labelers skipped)');
    const actions = el('div', 'jp-CrowdActions');
    actions.append(this._nextRound, this._remaining, this._finish, this._reopen, this._invite);
    const table = el('table', 'jp-CrowdTable jp-CrowdLabelers');
    const header = el('tr');
    header.append(...[trans.__('Labeler'), trans.__('Labels'), trans.__('Link'), ''].map(text => el('th', '', text)));
    table.createTHead().append(header);
    this._labelers = new KeyedList(table.createTBody(), {
      key: labeler => labeler.id,
      create: labeler => this._labelerRow(labeler),
      update: (row, labeler) => this._updateLabeler(row, labeler)
    });
    const body = el('div');
    this._problem.hidden = this._note.hidden = this._error.hidden = true;
    body.append(this._error, head, facts, this._problem, this._note, actions, table);
    return body;
  }

  private _updateStatus(task: ICrowdTaskDetail): void {
    const trans = this.ui.trans;
    setMark(this._mark, trans, task);
    setText(this._name, task.name);
    setText(this._state, stateLabel(trans, task));
    const perRound = trans.__(
      '%1 samples, %2 label(s) each, %3',
      task.max_choose,
      task.overlap,
      strategyLabel(trans, task.strategy)
    );
    const values: Record<FactKey, string> = {
      dataset: task.dataset,
      module: trans.__('%1 (%2)', task.module, moduleFormatLabel(trans, task.module_format)),
      classes: task.classes.join(', '),
      round: trans.__('%1 of at most %2', task.round, task.max_rounds),
      perRound,
      progress: trans.__('%1 of %2 labels', task.progress.labels, task.progress.needed),
      created: formatTime(task.created_at),
      description: task.description
    };
    for (const [key, [name, value]] of this._facts) {
      setText(value, values[key]);
      name.hidden = value.hidden = !values[key];
    }
    this._problem.hidden = !task.error;
    setText(this._problemText, task.error ?? '');
    setChildren(this._problem, task.job_id ? [this._problemText, this._problemJob] : [this._problemText]);
    this._note.hidden = !!task.error || task.state !== 'scoring' || !task.job_id;

    const nextLabel = task.state === 'failed' ? trans.__('Run round %1 again', task.round) : trans.__('Next round');
    setText(this._nextRound, nextLabel);
    this._nextRound.disabled = !task.can.next_round;
    this._remaining.disabled = !(task.state === 'labeling' && !task.round_complete);
    this._finish.disabled = !task.can.finish;
    this._reopen.disabled = !task.can.reopen;
    this._invite.disabled = !task.can.invite;
    this._labelers.update(task.labelers);
  }

  private _labelerRow(labeler: ICrowdLabeler): ILabelerRow {
    const node = el('tr');
    node.dataset.labeler = labeler.name;
    const row = {
      node,
      name: el('td', '', labeler.name),
      labels: el('td'),
      link: el('td'),
      action: el('td'),
      revoke: button(this.ui.trans.__('Revoke'), 'revoke', () => void this._revoke(labeler))
    };
    node.append(row.name, row.labels, row.link, row.action);
    return row;
  }

  private _updateLabeler(row: ILabelerRow, labeler: ICrowdLabeler): void {
    const trans = this.ui.trans;
    setText(row.labels, String(labeler.labels));
    setText(row.link, labeler.kind === 'owner' ? trans.__('you (task view or notebook)') : linkState(this.ui, labeler));
    const revocable = labeler.kind === 'invited' && labeler.active;
    setChildren(row.action, revocable ? [row.revoke] : []);
  }

  // -- actions -----------------------------------------------------------------

  private async _onNextRound(): Promise<void> {
    const task = this._task;
    if (!task) {
      return;
    }
    const trans = this.ui.trans;
    const missing = task.progress.needed - task.progress.labels;
    let force = false;
    if (task.state === 'labeling' && !task.round_complete) {
      const message = trans.__(
        'Round %1 still misses %2 label(s). Train on the labels so far and select the next samples now?',
        task.round,
        missing
      );
      if (!(await confirmAction(trans, trans.__('Start the next round?'), message, trans.__('Next round')))) {
        return;
      }
      force = true;
    }
    await this._run(() => crowdApi.nextRound(task.id, force));
  }

  private async _onFinish(): Promise<void> {
    const task = this._task;
    if (!task) {
      return;
    }
    const trans = this.ui.trans;
    const missing = task.state === 'labeling' ? task.progress.needed - task.progress.labels : 0;
    const message =
      missing > 0
        ? trans.__(
            '%1 label(s) are still missing. A task finished with unlabeled samples can never be reopened.',
            missing
          )
        : trans.__('Every selected sample has its labels; the task can be reopened later.');
    if (await confirmAction(trans, trans.__('Finish “%1”?', task.name), message, trans.__('Finish'), missing > 0)) {
      await this._run(() => crowdApi.finish(task.id, missing > 0));
    }
  }

  private async _onLabelRemaining(): Promise<void> {
    if (this._task) {
      await labelRemaining(this.ui.trans, this._task.id, this._task.name);
      this.ui.changed();
    }
  }

  private async _onInvite(): Promise<void> {
    const answer = await askInvite(this.ui.trans);
    if (!answer) {
      return;
    }
    try {
      const invite = await crowdApi.invite(this.taskId, answer.name, answer.hours);
      await this.refresh();
      await showInviteLink(this.ui.trans, invite);
    } catch (error) {
      showError(error);
    }
  }

  private async _revoke(labeler: ICrowdLabeler): Promise<void> {
    const trans = this.ui.trans;
    const message = trans.__('%1’s link stops working at once; their labels stay.', labeler.name);
    if (await confirmAction(trans, trans.__('Revoke the link?'), message, trans.__('Revoke'), true)) {
      await this._run(() => crowdApi.revoke(this.taskId, labeler.id));
    }
  }

  private async _run(action: () => Promise<unknown>): Promise<void> {
    try {
      await action();
      this.ui.changed();
    } catch (error) {
      showError(error);
    }
    await this.refresh();
  }

  private readonly _load = new CoalescedLoad(
    () => this._fetch(),
    () => this.isDisposed
  );
  private _task: ICrowdTaskDetail | null = null;
  private _progress: ProgressTab;
  private _results: ResultsTab;
  private _error = el('p', 'jp-CrowdError');
  private _mark = mark();
  private _name = el('h2');
  private _state = el('span', 'jp-CrowdTaskView-state');
  private _facts = new Map<FactKey, [HTMLElement, HTMLElement]>();
  private _problem = el('div', 'jp-CrowdError');
  private _problemText = el('span');
  private _problemJob!: HTMLButtonElement;
  private _note = el('p', 'jp-CrowdNote');
  private _nextRound = button('', 'next-round', () => void this._onNextRound());
  private _remaining = button(
    this.ui.trans.__('Label remaining…'),
    'label-remaining',
    () => void this._onLabelRemaining()
  );
  private _finish = button(this.ui.trans.__('Finish…'), 'finish', () => void this._onFinish());
  private _reopen = button(
    this.ui.trans.__('Reopen'),
    'reopen',
    () => void this._run(() => crowdApi.reopen(this.taskId))
  );
  private _invite = button(this.ui.trans.__('Invite…'), 'invite', () => void this._onInvite());
  private _labelers!: KeyedList<ICrowdLabeler, ILabelerRow>;
}

export function createTaskWidget(ui: ICrowdViewUI, taskId: string): MainAreaWidget<TaskView> {
  const content = new TaskView(ui, taskId);
  const widget = new MainAreaWidget({ content, translator: ui.translator });
  widget.id = `jlab-platform-crowd-${taskId}`;
  widget.title.label = ui.trans.__('Labeling task');
  widget.title.closable = true;
  content.title.changed.connect(() => (widget.title.label = content.title.label));
  return widget;
}

function tab(label: string, key: string, content: HTMLElement): Widget {
  const widget = new Widget();
  widget.addClass('jp-CrowdTab');
  widget.node.dataset.tab = key;
  widget.node.append(content);
  widget.title.label = label;
  return widget;
}

function linkState(ui: ICrowdViewUI, labeler: ICrowdLabeler): string {
  if (labeler.revoked_at) {
    return ui.trans.__('revoked %1', formatTime(labeler.revoked_at));
  }
  if (!labeler.active) {
    return ui.trans.__('expired %1', formatTime(labeler.expires_at));
  }
  return labeler.expires_at ? ui.trans.__('active until %1', formatTime(labeler.expires_at)) : ui.trans.__('active');
}
