/**
 * The model page's versions (the seed's 版本管理): a table of every version with its metrics side
 * by side (the best of each column marked), and the chosen version's facts, actions (report,
 * retrain, batch prediction, export, deploy, alias) and batch predictions.
 */
import { el } from '../platform/dom';
import { formatBytes, formatTime, MISSING } from '../platform/format';
import { KeyedList, setText } from '../platform/keyed';
import { actionButton, batchPredict, exportVersion, setAlias } from './actions';
import { ExportFormat, IBatchPrediction, IModel, IVersion } from './client';
import { IModelsUI } from './host';
import { bestVersions, formatMetric, lowerIsBetter, metricNames } from './model';
import { aliasChip } from './panel';
import { IStateRow, pageSection, stateRow, updateStateRow } from './blocks';
import { predictionLabel } from './states';

export class VersionsSection {
  readonly node: HTMLElement;

  constructor(private readonly ui: IModelsUI) {
    const trans = ui.trans;
    this._table = el('table', 'jp-ModelVersions-table');
    const tableBox = el('div', 'jp-ModelVersions-tableBox');
    tableBox.append(this._table);
    this._detail = el('div', 'jp-ModelVersion');
    this._detailTitle = el('h3', 'jp-ModelVersion-title');
    this._actions = el('div', 'jp-ModelVersion-actions');
    this._facts = el('dl', 'jp-ModelVersion-facts');
    this._predictionList = el('ul', 'jp-ModelPredictions');
    this._predictionMessage = el('p', 'jp-ModelPage-empty');
    this._predictions = new KeyedList(this._predictionList, {
      key: prediction => prediction.id,
      create: prediction => this._predictionRow(prediction),
      update: (row, prediction) => this._updatePrediction(row, prediction)
    });
    const predictionsTitle = el('h4', 'jp-ModelVersion-subtitle', trans.__('Batch predictions'));
    this._detail.append(
      this._detailTitle,
      this._actions,
      this._facts,
      predictionsTitle,
      this._predictionMessage,
      this._predictionList
    );
    const section = pageSection(
      'jp-ModelVersions',
      trans.__('Versions'),
      trans.__('No version yet: publish a completed training below.'),
      tableBox,
      this._detail
    );
    this.node = section.node;
    this._empty = section.empty;
  }

  /** The version whose detail shows (the newest until one is chosen). */
  get selected(): IVersion | null {
    return this._versions.find(version => version.version === this._selected) ?? null;
  }

  /** The newest version (versions come oldest first), or null before the first publish. */
  get latest(): IVersion | null {
    return this._versions.length ? this._versions[this._versions.length - 1] : null;
  }

  update(model: IModel, versions: IVersion[]): void {
    this._model = model;
    this._versions = versions;
    if (!this.selected) {
      this._selected = this.latest?.version ?? null;
    }
    this._empty.hidden = versions.length > 0;
    this._table.hidden = versions.length === 0;
    this._detail.hidden = versions.length === 0;
    // Versions never change but their aliases do: draw again only when either did.
    const signature = JSON.stringify(versions.map(version => [version.version, version.aliases]));
    if (signature !== this._signature || this.ui.canDeploy() !== this._drewDeploy) {
      this._signature = signature;
      this._drewDeploy = this.ui.canDeploy();
      this._renderTable();
      this._renderDetail();
    }
  }

  /** The selected version's batch predictions (fetched by the page with the rest). */
  updatePredictions(predictions: IBatchPrediction[]): void {
    this._predictions.update([...predictions].reverse());
    setText(
      this._predictionMessage,
      predictions.length
        ? ''
        : this.ui.trans.__('None yet. “Batch predict” predicts a folder of images with this version.')
    );
  }

  /** Called when another version is chosen (the page fetches its predictions). */
  onSelect: (() => void) | null = null;

  private _renderTable(): void {
    const trans = this.ui.trans;
    const metrics = metricNames(this._versions);
    const best = bestVersions(this._versions, metrics);
    const head = el('tr');
    head.append(
      el('th', '', trans.__('Version')),
      el('th', '', trans.__('Aliases')),
      ...metrics.map(metric => {
        const th = el('th', 'jp-ModelVersions-metric', metric);
        th.title = lowerIsBetter(metric) ? trans.__('lower is better') : trans.__('higher is better');
        return th;
      }),
      el('th', '', trans.__('Images')),
      el('th', '', trans.__('Published'))
    );
    const rows = [...this._versions].reverse().map(version => {
      const row = el('tr', 'jp-ModelVersions-row');
      row.dataset.version = version.version;
      row.tabIndex = 0;
      row.classList.toggle('jp-mod-selected', version.version === this._selected);
      row.setAttribute('aria-selected', String(version.version === this._selected));
      const aliases = el('td', 'jp-ModelVersions-aliases');
      aliases.append(...version.aliases.map(alias => aliasChip(alias, version.version)));
      row.append(
        el('td', 'jp-ModelVersions-version', version.version),
        aliases,
        ...metrics.map(metric => {
          const cell = el('td', 'jp-ModelVersions-metric', formatMetric(version.metrics[metric]));
          cell.dataset.metric = metric;
          cell.classList.toggle('jp-mod-best', best.get(metric) === version.version);
          return cell;
        }),
        el('td', 'jp-ModelVersions-number', String(version.images)),
        el('td', 'jp-ModelVersions-when', trans.__('%1 · %2', version.published_by, formatTime(version.published_at)))
      );
      const choose = (): void => {
        this._selected = version.version;
        this._renderTable();
        this._renderDetail();
        this.onSelect?.();
      };
      row.addEventListener('click', choose);
      row.addEventListener('keydown', event => {
        if (event.key === 'Enter' || event.key === ' ') {
          event.preventDefault();
          choose();
        }
      });
      return row;
    });
    const thead = el('thead');
    thead.append(head);
    const tbody = el('tbody');
    tbody.append(...rows);
    this._table.replaceChildren(thead, tbody);
  }

  private _renderDetail(): void {
    const version = this.selected;
    const model = this._model;
    if (!version || !model) {
      return;
    }
    const trans = this.ui.trans;
    const ui = this.ui;
    this._detail.dataset.version = version.version;
    this._detailTitle.textContent = trans.__('Version %1', version.version);
    const buttons: HTMLElement[] = [];
    if (version.evaluation) {
      const folder = version.evaluation;
      buttons.push(actionButton(trans.__('Report'), 'report', () => ui.openReport(folder)));
    }
    buttons.push(
      actionButton(trans.__('Retrain'), 'retrain', () => void ui.newModel({ model, version })),
      actionButton(trans.__('Batch predict'), 'predict', () => void batchPredict(ui, version)),
      this._exportSelect(version),
      actionButton(trans.__('Set alias'), 'alias', () => void setAlias(ui, version, Object.keys(model.aliases)))
    );
    if (ui.canDeploy()) {
      buttons.push(
        actionButton(trans.__('Deploy'), 'deploy', () => void ui.deploy(`${model.name}@${version.version}`))
      );
    }
    this._actions.replaceChildren(...buttons);

    const job = el('button', 'jp-ModelPage-link', version.job_id);
    job.type = 'button';
    job.addEventListener('click', () => ui.openJob(version.job_id));
    const config = Object.entries(version.config)
      .map(([key, value]) => `${key}=${JSON.stringify(value)}`)
      .join(', ');
    const facts: [string, string | HTMLElement, string][] = [
      [trans.__('Template'), trans.__('%1 v%2', version.template, version.template_version), 'template'],
      [
        trans.__('Commit'),
        version.commit ? version.commit.slice(0, 12) : trans.__('none (not a git repository)'),
        'commit'
      ],
      [trans.__('Job'), job, 'job'],
      [trans.__('Data paths'), version.data_paths.join(', '), 'data-paths'],
      [trans.__('Data'), trans.__('%1 images · hash %2', version.images, version.data_hash.slice(0, 12)), 'data'],
      [
        trans.__('Checkpoint'),
        trans.__('%1 · sha256 %2', formatBytes(version.checkpoint_bytes), version.checkpoint_sha256.slice(0, 12)),
        'checkpoint'
      ],
      [trans.__('Parameters'), config || MISSING, 'config'],
      [trans.__('Loads as'), `${model.name}@${version.version}`, 'ref']
    ];
    this._facts.replaceChildren(
      ...facts.flatMap(([label, value, key]) => {
        const dd = el('dd');
        dd.dataset.key = key;
        dd.append(value);
        if (typeof value === 'string') {
          dd.title = value;
        }
        return [el('dt', '', label), dd];
      })
    );
  }

  /** "Export…" as a menu of formats: choosing one downloads the file. */
  private _exportSelect(version: IVersion): HTMLSelectElement {
    const trans = this.ui.trans;
    const select = el('select', 'jp-ModelPage-select jp-ModelPage-export');
    select.dataset.action = 'export';
    select.setAttribute('aria-label', trans.__('Export as'));
    const formats: [ExportFormat, string][] = [
      ['checkpoint', trans.__('Checkpoint (as trained)')],
      ['onnx', 'ONNX'],
      ['tflite', 'TensorFlow Lite']
    ];
    select.append(new Option(trans.__('Export…'), ''), ...formats.map(([value, label]) => new Option(label, value)));
    select.addEventListener('change', () => {
      const format = select.value as ExportFormat | '';
      select.value = '';
      if (format) {
        void exportVersion(this.ui, version, format);
      }
    });
    return select;
  }

  private _predictionRow(prediction: IBatchPrediction): IStateRow {
    const row = stateRow('jp-ModelPrediction', prediction.id);
    const path = el('code', 'jp-ModelPrediction-path', prediction.data_path);
    path.title = prediction.output;
    row.node.append(row.state, path, row.facts, row.actions);
    return row;
  }

  private _updatePrediction(row: IStateRow, prediction: IBatchPrediction): void {
    const trans = this.ui.trans;
    setText(
      row.facts,
      trans.__(
        '%1 · %2',
        trans._n('%1 image', '%1 images', prediction.images, prediction.images),
        formatTime(prediction.finished_at ?? prediction.created_at)
      )
    );
    const key = `${prediction.state}:${prediction.report ?? ''}`;
    if (!updateStateRow(row, prediction.state, predictionLabel(trans, prediction.state), key)) {
      return;
    }
    const buttons: HTMLElement[] = [];
    if (prediction.report) {
      const report = prediction.report;
      buttons.push(actionButton(trans.__('Report'), 'report', () => this.ui.openReport(report)));
    } else if (prediction.state === 'completed') {
      buttons.push(el('span', 'jp-ModelPrediction-note', trans.__('unlabeled: predictions only')));
    }
    buttons.push(actionButton(trans.__('Job'), 'job', () => this.ui.openJob(prediction.job_id)));
    row.actions.replaceChildren(...buttons);
  }

  private _model: IModel | null = null;
  private _versions: IVersion[] = [];
  private _selected: string | null = null;
  private _signature = '';
  private _drewDeploy = false;
  private _table: HTMLTableElement;
  private _empty: HTMLParagraphElement;
  private _detail: HTMLDivElement;
  private _detailTitle: HTMLHeadingElement;
  private _actions: HTMLDivElement;
  private _facts: HTMLDListElement;
  private _predictionList: HTMLUListElement;
  private _predictionMessage: HTMLParagraphElement;
  private _predictions: KeyedList<IBatchPrediction, IStateRow>;
}
