/** One labeling task in the main area: Status (owner actions), Progress and Results tabs. */
import { MainAreaWidget } from '@jupyterlab/apputils';
import type { Message } from '@lumino/messaging';
import { TabPanel, Widget } from '@lumino/widgets';

import { crowdApi } from '../api';
import { el } from '../platform/dom';
import { errorMessage, formatTime } from '../platform/format';
import { showError } from '../platform/notify';
import { askInvite, confirmAction, showInviteLink } from './dialogs';
import { ICrowdLabeler, ICrowdRound, ICrowdTaskDetail, progressShare } from './model';
import { labelRemaining } from './remaining';
import { ICrowdUI, markFor, stateLabel } from './section';

const POLL_MS = 3000;

export interface ICrowdViewUI extends ICrowdUI {
  openJob: (id: string) => void;
  openPath: (path: string) => void;
}

export class TaskView extends TabPanel {
  constructor(
    private readonly ui: ICrowdViewUI,
    readonly taskId: string
  ) {
    super();
    const trans = ui.trans;
    this.addClass('jp-CrowdTaskView');
    this._status = tab(trans.__('Status'), 'status');
    this._progress = tab(trans.__('Progress'), 'progress');
    this._results = tab(trans.__('Results'), 'results');
    this.addWidget(this._status);
    this.addWidget(this._progress);
    this.addWidget(this._results);
  }

  async refresh(): Promise<void> {
    try {
      const task = await crowdApi.getTask(this.taskId);
      this._task = task;
      this.title.label = task.name;
      this._renderStatus(task);
      this._renderProgress(task);
      this._renderResults(task);
    } catch (error) {
      this._status.node.replaceChildren(el('p', 'jp-CrowdError', errorMessage(error)));
    }
  }

  protected onAfterAttach(msg: Message): void {
    super.onAfterAttach(msg);
    void this.refresh();
    this._timer = window.setInterval(() => {
      const busy = this._task && this._task.state !== 'finished';
      if (busy && this.isVisible && !document.hidden) {
        void this.refresh();
      }
    }, POLL_MS);
  }

  protected onBeforeDetach(msg: Message): void {
    window.clearInterval(this._timer);
    super.onBeforeDetach(msg);
  }

  // -- Status ----------------------------------------------------------------

  private _renderStatus(task: ICrowdTaskDetail): void {
    const trans = this.ui.trans;
    const head = el('div', 'jp-CrowdTaskView-head');
    const state = el('span', 'jp-CrowdTaskView-state', stateLabel(trans, task));
    head.append(markFor(trans, task), el('h2', '', task.name), state);
    const facts = el('dl', 'jp-CrowdFacts');
    const fact = (label: string, value: string): void => {
      facts.append(el('dt', '', label), el('dd', '', value));
    };
    fact(trans.__('Dataset'), task.dataset);
    fact(trans.__('Module'), `${task.module} (${task.module_format})`);
    fact(trans.__('Classes'), task.classes.join(', '));
    fact(trans.__('Round'), trans.__('%1 of at most %2', task.round, task.max_rounds));
    const perRound = trans.__('%1 samples, %2 label(s) each, %3', task.max_choose, task.overlap, task.strategy);
    fact(trans.__('Per round'), perRound);
    fact(trans.__('Progress'), trans.__('%1 of %2 labels', task.progress.labels, task.progress.needed));
    fact(trans.__('Created'), formatTime(task.created_at));
    if (task.description) {
      fact(trans.__('Description'), task.description);
    }
    const body: HTMLElement[] = [head, facts];
    if (task.error) {
      const problem = el('div', 'jp-CrowdError', task.error);
      if (task.job_id) {
        const jobId = task.job_id;
        problem.append(button(trans.__('Open the job’s log'), 'open-job', () => this.ui.openJob(jobId)));
      }
      body.push(problem);
    } else if (task.state === 'scoring' && task.job_id) {
      const jobId = task.job_id;
      const note = el('p', 'jp-CrowdNote', trans.__('The module runs as a job; its log shows what it does.'));
      note.append(button(trans.__('Open the job’s log'), 'open-job', () => this.ui.openJob(jobId)));
      body.push(note);
    }
    const actions = el('div', 'jp-CrowdActions');
    const nextLabel = task.state === 'failed' ? trans.__('Run round %1 again', task.round) : trans.__('Next round');
    const unlabeled = task.state === 'labeling' && !task.round_complete;
    const label = (): void => void this._labelRemaining(task);
    const remaining = button(trans.__('Label remaining…'), 'label-remaining', label, !unlabeled);
    remaining.title = trans.__('Label the samples of this round that still want labels (ones labelers skipped)');
    actions.append(
      button(nextLabel, 'next-round', () => void this._nextRound(task), !task.can.next_round),
      remaining,
      button(trans.__('Finish…'), 'finish', () => void this._finish(task), !task.can.finish),
      button(trans.__('Reopen'), 'reopen', () => void this._run(() => crowdApi.reopen(task.id)), !task.can.reopen),
      button(trans.__('Invite…'), 'invite', () => void this._invite(task), !task.can.invite)
    );
    body.push(actions, this._labelers(task));
    this._status.node.replaceChildren(...body);
  }

  private _labelers(task: ICrowdTaskDetail): HTMLElement {
    const trans = this.ui.trans;
    const table = el('table', 'jp-CrowdTable jp-CrowdLabelers');
    const header = el('tr');
    header.append(...[trans.__('Labeler'), trans.__('Labels'), trans.__('Link'), ''].map(text => el('th', '', text)));
    table.append(header);
    for (const labeler of task.labelers) {
      const row = el('tr');
      row.dataset.labeler = labeler.name;
      const state = labeler.kind === 'owner' ? trans.__('you (task view or notebook)') : linkState(this.ui, labeler);
      const cell = el('td');
      if (labeler.kind === 'invited' && labeler.active) {
        cell.append(button(trans.__('Revoke'), 'revoke', () => void this._revoke(task, labeler)));
      }
      row.append(el('td', '', labeler.name), el('td', '', String(labeler.labels)), el('td', '', state), cell);
      table.append(row);
    }
    return table;
  }

  // -- Progress ----------------------------------------------------------------

  private _renderProgress(task: ICrowdTaskDetail): void {
    const trans = this.ui.trans;
    const rounds = [...task.rounds].reverse().map(round => {
      const box = el('section', 'jp-CrowdRound');
      box.dataset.round = String(round.number);
      const labeling = round.ready_at ? trans.__('labeling') : trans.__('scoring');
      const done = round.completed_at ? trans.__('complete') : labeling;
      box.append(
        el('h3', '', trans.__('Round %1 (%2)', round.number, done)),
        bar(progressShare({ labels: round.labels, needed: round.needed, samples: 0, complete_samples: 0 })),
        el(
          'p',
          '',
          trans.__(
            '%1 of %2 labels · %3 of %4 samples done · %5 scored',
            round.labels,
            round.needed,
            round.complete_samples,
            round.selected,
            round.scored
          )
        ),
        counts(trans.__('Labels per class'), round.by_class),
        counts(trans.__('Labels per labeler'), round.by_labeler),
        this._agreement(round)
      );
      for (const note of round.notes) {
        box.append(el('p', 'jp-CrowdNote', note));
      }
      return box;
    });
    this._progress.node.replaceChildren(...rounds);
  }

  private _agreement(round: ICrowdRound): HTMLElement {
    const trans = this.ui.trans;
    const box = el('div', 'jp-CrowdAgreement');
    const agreement = round.agreement;
    if (!agreement.items) {
      box.append(el('p', 'jp-CrowdNote', trans.__('Agreement: needs samples with 2 or more labels.')));
      return box;
    }
    const kappa = (value: number | null): string => (value === null ? trans.__('undefined') : value.toFixed(3));
    const fleiss = kappa(agreement.fleiss_kappa);
    box.append(el('p', '', trans.__("Fleiss' kappa: %1 over %2 samples", fleiss, agreement.items)));
    for (const pair of agreement.cohen_kappa) {
      const [first, second] = pair.labelers;
      const text = trans.__("Cohen's kappa %1 / %2: %3 (%4 samples)", first, second, kappa(pair.kappa), pair.items);
      box.append(el('p', '', text));
    }
    if (agreement.disagreements.length) {
      const list = el('ul', 'jp-CrowdDisagreements');
      for (const item of agreement.disagreements.slice(0, 50)) {
        const labels = Object.entries(item.labels).map(([who, label]) => `${who}: ${label}`).join(', ');
        list.append(el('li', '', `${item.sample} — ${labels}`));
      }
      box.append(el('h4', '', trans.__('Disagreements (%1)', agreement.disagreements.length)), list);
    }
    return box;
  }

  // -- Results -----------------------------------------------------------------

  private _renderResults(task: ICrowdTaskDetail): void {
    const trans = this.ui.trans;
    const items: HTMLElement[] = [
      el('p', '', trans.__('Labels are written into the dataset, in %1/', task.results.folder))
    ];
    const table = el('table', 'jp-CrowdTable jp-CrowdFiles');
    const header = el('tr');
    header.append(...[trans.__('Round'), trans.__('File'), trans.__('Where')].map(text => el('th', '', text)));
    table.append(header);
    for (const round of task.rounds) {
      for (const file of round.files) {
        const row = el('tr');
        row.dataset.kind = file.kind;
        const name = file.kind === 'labels' ? trans.__('majority labels') : trans.__('ties');
        const open = el('button', 'jp-CrowdPath', file.path);
        open.type = 'button';
        open.title = trans.__('Open %1', file.path);
        open.addEventListener('click', () => this.ui.openPath(file.path));
        const where = el('td');
        where.append(open);
        row.append(el('td', '', String(round.number)), el('td', '', name), where);
        table.append(row);
      }
    }
    if (table.rows.length === 1) {
      const none = trans.__('No round has its labels yet: files appear when a round completes.');
      items.push(el('p', 'jp-CrowdNote', none));
    } else {
      items.push(table);
    }
    const download = el('a', 'jp-CrowdDownload', trans.__('Download every label with its labeler (JSON)'));
    download.href = crowdApi.labelsDownloadUrl(task.id);
    download.setAttribute('download', '');
    items.push(download, el('p', 'jp-CrowdNote', trans.__('Also kept beside the rounds: %1', task.results.export)));
    this._results.node.replaceChildren(...items);
  }

  // -- actions -----------------------------------------------------------------

  private async _nextRound(task: ICrowdTaskDetail): Promise<void> {
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

  private async _finish(task: ICrowdTaskDetail): Promise<void> {
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

  private async _labelRemaining(task: ICrowdTaskDetail): Promise<void> {
    await labelRemaining(this.ui.trans, task.id, task.name);
    this.ui.changed();
  }

  private async _invite(task: ICrowdTaskDetail): Promise<void> {
    const answer = await askInvite(this.ui.trans);
    if (!answer) {
      return;
    }
    try {
      const invite = await crowdApi.invite(task.id, answer.name, answer.hours);
      await this.refresh();
      await showInviteLink(this.ui.trans, invite);
    } catch (error) {
      showError(error);
    }
  }

  private async _revoke(task: ICrowdTaskDetail, labeler: ICrowdLabeler): Promise<void> {
    const trans = this.ui.trans;
    const message = trans.__('%1’s link stops working at once; their labels stay.', labeler.name);
    if (await confirmAction(trans, trans.__('Revoke the link?'), message, trans.__('Revoke'), true)) {
      await this._run(() => crowdApi.revoke(task.id, labeler.id));
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

  private _status: Widget;
  private _progress: Widget;
  private _results: Widget;
  private _task: ICrowdTaskDetail | null = null;
  private _timer = 0;
}

export function createTaskWidget(ui: ICrowdViewUI, taskId: string): MainAreaWidget<TaskView> {
  const content = new TaskView(ui, taskId);
  const widget = new MainAreaWidget({ content });
  widget.id = `jlab-platform-crowd-${taskId}`;
  widget.title.label = ui.trans.__('Labeling task');
  widget.title.closable = true;
  content.title.changed.connect(() => (widget.title.label = content.title.label));
  return widget;
}

function tab(label: string, key: string): Widget {
  const widget = new Widget();
  widget.addClass('jp-CrowdTab');
  widget.node.dataset.tab = key;
  widget.title.label = label;
  return widget;
}

function button(label: string, action: string, onClick: () => void, disabled = false): HTMLButtonElement {
  const node = el('button', 'jp-Button jp-mod-styled jp-mod-reject jp-CrowdButton', label);
  node.type = 'button';
  node.dataset.action = action;
  node.disabled = disabled;
  node.addEventListener('click', onClick);
  return node;
}

function bar(share: number): HTMLElement {
  const outer = el('span', 'jp-CrowdBar');
  const fill = el('span', 'jp-CrowdBar-fill');
  fill.style.width = `${(100 * share).toFixed(1)}%`;
  outer.append(fill);
  return outer;
}

function counts(title: string, values: Record<string, number>): HTMLElement {
  const box = el('div', 'jp-CrowdCounts');
  box.append(el('h4', '', title));
  const list = el('ul');
  for (const [name, count] of Object.entries(values).sort((a, b) => b[1] - a[1])) {
    list.append(el('li', '', `${name}: ${count}`));
  }
  box.append(list);
  return box;
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
