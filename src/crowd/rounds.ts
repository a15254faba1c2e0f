/** The Progress (one box per round, newest first) and Results tabs of a task, updated in place. */
import type { TranslationBundle } from '@jupyterlab/translation';

import { crowdApi } from './client';
import { el } from '../platform/dom';
import { KeyedList, setAttr, setText } from '../platform/keyed';
import { ICrowdRound, ICrowdTaskDetail, progressShare } from './model';
import { bar, setBar } from './parts';

/** At most this many disagreements are listed per round. */
const MAX_DISAGREEMENTS = 50;

interface ILine {
  key: string;
  text: string;
}

type Lines = KeyedList<ILine, { node: HTMLElement }>;

/** Lines of text in `parent`, one element per key. */
function lines(parent: HTMLElement, tag: 'p' | 'li', className = ''): Lines {
  return new KeyedList<ILine, { node: HTMLElement }>(parent, {
    key: line => line.key,
    create: () => ({ node: el(tag, className) }),
    update: (view, line) => setText(view.node, line.text)
  });
}

/** A titled list of counts, largest first: "alice: 3". */
class Counts {
  readonly node = el('div', 'jp-CrowdCounts');

  constructor(title: string) {
    const list = el('ul');
    this.node.append(el('h4', '', title), list);
    this._items = lines(list, 'li');
  }

  update(values: Record<string, number>): void {
    const sorted = Object.entries(values).sort((a, b) => b[1] - a[1]);
    this._items.update(sorted.map(([name, count]) => ({ key: name, text: `${name}: ${count}` })));
  }

  private _items: Lines;
}

class RoundBox {
  readonly node = el('section', 'jp-CrowdRound');

  constructor(
    private readonly _trans: TranslationBundle,
    round: ICrowdRound
  ) {
    const trans = _trans;
    this.node.dataset.round = String(round.number);
    this._byClass = new Counts(trans.__('Labels per class'));
    this._byLabeler = new Counts(trans.__('Labels per labeler'));
    const agreement = el('div', 'jp-CrowdAgreement');
    this._noAgreement = el('p', 'jp-CrowdNote', trans.__('Agreement: needs samples with 2 or more labels.'));
    const pairs = el('div');
    this._pairs = lines(pairs, 'p');
    const disagreements = el('ul', 'jp-CrowdDisagreements');
    this._disagreements = lines(disagreements, 'li');
    this._agreement = [this._fleiss, pairs, this._disagreementsTitle, disagreements];
    agreement.append(this._noAgreement, ...this._agreement);
    const notes = el('div');
    this._notes = lines(notes, 'p', 'jp-CrowdNote');
    this.node.append(this._title, this._bar, this._numbers, this._byClass.node, this._byLabeler.node, agreement, notes);
  }

  update(round: ICrowdRound): void {
    const trans = this._trans;
    const labeling = round.ready_at ? trans.__('labeling') : trans.__('scoring');
    const done = round.completed_at ? trans.__('complete') : labeling;
    setText(this._title, trans.__('Round %1 (%2)', round.number, done));
    setBar(this._bar, progressShare({ labels: round.labels, needed: round.needed, samples: 0, complete_samples: 0 }));
    setText(
      this._numbers,
      trans.__(
        '%1 of %2 labels · %3 of %4 samples done · %5 scored',
        round.labels,
        round.needed,
        round.complete_samples,
        round.selected,
        round.scored
      )
    );
    this._byClass.update(round.by_class);
    this._byLabeler.update(round.by_labeler);
    this._updateAgreement(round);
    this._notes.update(round.notes.map((note, index) => ({ key: `${index}:${note}`, text: note })));
  }

  private _updateAgreement(round: ICrowdRound): void {
    const trans = this._trans;
    const agreement = round.agreement;
    this._noAgreement.hidden = agreement.items > 0;
    for (const part of this._agreement) {
      part.hidden = agreement.items === 0;
    }
    const kappa = (value: number | null): string => (value === null ? trans.__('undefined') : value.toFixed(3));
    setText(
      this._fleiss,
      trans.__("Fleiss' kappa: %1 over %2 samples", kappa(agreement.fleiss_kappa), agreement.items)
    );
    this._pairs.update(
      agreement.cohen_kappa.map(pair => {
        const [first, second] = pair.labelers;
        return {
          key: `${first}\n${second}`,
          text: trans.__("Cohen's kappa %1 / %2: %3 (%4 samples)", first, second, kappa(pair.kappa), pair.items)
        };
      })
    );
    const disagreements = agreement.disagreements;
    setText(this._disagreementsTitle, trans.__('Disagreements (%1)', disagreements.length));
    this._disagreementsTitle.hidden = agreement.items === 0 || disagreements.length === 0;
    this._disagreements.update(
      disagreements.slice(0, MAX_DISAGREEMENTS).map(item => {
        const labels = Object.entries(item.labels)
          .map(([who, label]) => `${who}: ${label}`)
          .join(', ');
        return { key: item.sample, text: `${item.sample} — ${labels}` };
      })
    );
  }

  private _title = el('h3');
  private _bar = bar();
  private _numbers = el('p');
  private _byClass: Counts;
  private _byLabeler: Counts;
  private _noAgreement: HTMLElement;
  private _fleiss = el('p');
  private _disagreementsTitle = el('h4');
  private _agreement: HTMLElement[];
  private _pairs: Lines;
  private _disagreements: Lines;
  private _notes: Lines;
}

export class ProgressTab {
  readonly node = el('div');

  constructor(trans: TranslationBundle) {
    this._rounds = new KeyedList(this.node, {
      key: round => String(round.number),
      create: round => new RoundBox(trans, round),
      update: (box, round) => box.update(round)
    });
  }

  update(task: ICrowdTaskDetail): void {
    this._rounds.update([...task.rounds].reverse());
  }

  private _rounds: KeyedList<ICrowdRound, RoundBox>;
}

interface IFile {
  round: number;
  /** 'labels' (the majority labels) or 'ties'. */
  kind: string;
  path: string;
}

interface IFileRow {
  node: HTMLTableRowElement;
  round: HTMLElement;
  name: HTMLElement;
}

export class ResultsTab {
  readonly node = el('div');

  constructor(
    private readonly _trans: TranslationBundle,
    openPath: (path: string) => void
  ) {
    const trans = _trans;
    const header = el('tr');
    header.append(...[trans.__('Round'), trans.__('File'), trans.__('Where')].map(text => el('th', '', text)));
    this._table.createTHead().append(header);
    this._files = new KeyedList<IFile, IFileRow>(this._table.createTBody(), {
      key: file => file.path,
      create: file => {
        const node = el('tr');
        const open = el('button', 'jp-CrowdPath', file.path);
        open.type = 'button';
        open.title = trans.__('Open %1', file.path);
        open.addEventListener('click', () => openPath(file.path));
        const where = el('td');
        where.append(open);
        const row = { node, round: el('td'), name: el('td') };
        node.append(row.round, row.name, where);
        return row;
      },
      update: (row, file) => {
        setAttr(row.node, 'data-kind', file.kind);
        setText(row.round, String(file.round));
        setText(row.name, file.kind === 'labels' ? trans.__('majority labels') : trans.__('ties'));
      }
    });
    this._none.textContent = trans.__('No round has its labels yet: files appear when a round completes.');
    this._download.textContent = trans.__('Download every label with its labeler (JSON)');
    this._download.setAttribute('download', '');
    this.node.append(this._folder, this._table, this._none, this._download, this._export);
  }

  update(task: ICrowdTaskDetail): void {
    const trans = this._trans;
    setText(this._folder, trans.__('Labels are written into the dataset, in %1/', task.results.folder));
    const files: IFile[] = task.rounds.flatMap(round =>
      round.files.map(file => ({ round: round.number, kind: file.kind, path: file.path }))
    );
    this._files.update(files);
    this._table.hidden = this._files.size === 0;
    this._none.hidden = this._files.size > 0;
    setAttr(this._download, 'href', crowdApi.labelsDownloadUrl(task.id));
    setText(this._export, trans.__('Also kept beside the rounds: %1', task.results.export));
  }

  private _folder = el('p');
  private _table = el('table', 'jp-CrowdTable jp-CrowdFiles');
  private _none = el('p', 'jp-CrowdNote');
  private _download = el('a', 'jp-CrowdDownload');
  private _export = el('p', 'jp-CrowdNote');
  private _files: KeyedList<IFile, IFileRow>;
}
