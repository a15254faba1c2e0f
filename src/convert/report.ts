/**
 * A conversion's or extraction's record as a readable report: sizes and their ratio,
 * quantization, ops, the verification's verdict, duration; or the error and what to do.
 */
import { TranslationBundle } from '@jupyterlab/translation';

import { el } from '../platform/dom';
import { baseName, formatBytes } from '../platform/format';
import { IReport, ITask, IVerification, Quantize } from './model';

/** One row: a label and what it says (text, or a node for badges and lists). */
type ReportRow = [string, string | HTMLElement];

const SHOWN_OPS = 8;

/** The rows of ``task``'s report (or error) in reading order. */
export function reportRows(trans: TranslationBundle, task: ITask): ReportRow[] {
  if (task.error) {
    return [
      [trans.__('Error'), task.error.error],
      [trans.__('What to do'), task.error.detail]
    ];
  }
  const report = task.report ?? {};
  if (task.kind === 'extract') {
    return compact([
      [trans.__('Archive'), task.source],
      [trans.__('Folder'), `${task.output}/`],
      [
        trans.__('Contents'),
        trans.__(
          '%1 files, %2 folders, %3 links; %4',
          report.files ?? 0,
          Number(report.folders ?? 0),
          Number(report.links ?? 0),
          formatBytes(report.bytes)
        )
      ],
      [
        trans.__('Format'),
        report.format ? trans.__('%1 (read with %2)', String(report.format), String(report.tool)) : null
      ],
      [trans.__('Duration'), seconds(report.seconds)]
    ]);
  }
  const tflite = task.kind === 'tflite';
  return compact([
    [trans.__('Model'), `${task.source} → ${baseName(task.output)}`],
    [trans.__('Size'), sizeText(trans, report.source_bytes, report.output_bytes)],
    tflite ? [trans.__('Quantization'), quantizeText(trans, task)] : [trans.__('Input'), inputText(trans, report)],
    [trans.__('Ops'), opsNode(trans, report)],
    [trans.__('Verification'), verificationNode(trans, report.verification)],
    [trans.__('Duration'), seconds(report.seconds)],
    [trans.__('How'), howText(report)],
    [trans.__('Warnings'), listNode(report.warnings ?? [])],
    [trans.__('Versions'), versions(report)]
  ]);
}

function compact(rows: [string, string | HTMLElement | null][]): ReportRow[] {
  return rows.filter((row): row is ReportRow => row[1] !== null && row[1] !== '');
}

/** "429.1 kB → 108.2 kB (25% of the source, 3.97× smaller)". */
function sizeText(trans: TranslationBundle, source?: number, output?: number): string {
  const sizes = `${formatBytes(source)} → ${formatBytes(output)}`;
  if (!source || !output) {
    return sizes;
  }
  const ratio = source / output;
  const change =
    ratio >= 1 ? trans.__('%1× smaller', ratio.toFixed(2)) : trans.__('%1× larger', (output / source).toFixed(2));
  return trans.__('%1 (%2% of the source, %3)', sizes, Math.round((100 * output) / source), change);
}

function quantizeText(trans: TranslationBundle, task: ITask): string {
  const names: Record<Quantize, string> = {
    none: trans.__('None (float32)'),
    dynamic: trans.__('Dynamic range (int8 weights)'),
    float16: trans.__('Float16 weights'),
    int8: trans.__('Full integer (int8)')
  };
  const mode = (task.report?.quantize ?? task.options.quantize ?? 'none') as Quantize;
  const data = task.report?.representative_data;
  return data ? trans.__('%1; representative data: %2', names[mode], String(data)) : names[mode];
}

function inputText(trans: TranslationBundle, report: Record<string, unknown>): string | null {
  const shapes = report.input_shape as number[][] | undefined;
  if (!shapes?.length) {
    return null;
  }
  const shape = shapes.map(dims => dims.join(' × ')).join(', ');
  const from = report.input_shape_from as string | undefined;
  const batch = report.dynamic_batch ? trans.__('any batch size') : trans.__('fixed batch');
  return from && from !== 'given' ? trans.__('%1 (%2; %3)', shape, from, batch) : trans.__('%1 (%2)', shape, batch);
}

/** "12 ops of 7 kinds" and the most used, "CONV_2D ×3"..., with "and N more". */
function opsNode(trans: TranslationBundle, report: IReport): HTMLElement | null {
  const entries = Object.entries(report.op_counts ?? {}).sort((a, b) => b[1] - a[1] || a[0].localeCompare(b[0]));
  if (entries.length === 0) {
    return null;
  }
  const total = entries.reduce((sum, [, count]) => sum + count, 0);
  const node = el('div');
  const opset = report.ops ?? (report.opset ? trans.__('ONNX opset %1', String(report.opset)) : null);
  const head = trans.__('%1 ops of %2 kinds', total, entries.length);
  node.append(opset ? `${head} (${String(opset)})` : head);
  const list = el('div', 'jp-ConvertReport-ops');
  for (const [name, count] of entries.slice(0, SHOWN_OPS)) {
    list.append(el('code', '', count > 1 ? `${name} ×${count}` : name));
  }
  if (entries.length > SHOWN_OPS) {
    list.append(trans.__('and %1 more', entries.length - SHOWN_OPS));
  }
  node.append(list);
  return node;
}

/** A pass/fail badge with the largest difference against its tolerance, then on what inputs. */
function verificationNode(trans: TranslationBundle, verification?: IVerification): HTMLElement {
  const node = el('div');
  const badge = el('span', 'jp-ConvertReport-verdict');
  if (!verification?.performed) {
    badge.classList.add('jp-mod-skipped');
    badge.textContent = trans.__('Not verified');
    node.append(badge, ' ', verification?.reason ?? '');
    return node;
  }
  const passed = verification.passed ?? false;
  badge.classList.add(passed ? 'jp-mod-passed' : 'jp-mod-failed');
  badge.textContent = passed ? trans.__('✓ Passed') : trans.__('✗ Failed');
  const largest = (verification.max_abs_diff ?? 0).toPrecision(2);
  const detail =
    verification.tolerance !== undefined
      ? trans.__('largest difference %1 (allowed %2)', largest, verification.tolerance.toPrecision(2))
      : trans.__('largest difference %1', largest);
  node.append(badge, ' ', detail);
  const notes: string[] = [];
  if (verification.argmax_agreement !== undefined && verification.argmax_agreement !== null) {
    notes.push(trans.__('same class %1% of the time', Math.round(verification.argmax_agreement * 100)));
  }
  if (verification.inputs) {
    notes.push(trans.__('on %1', verification.inputs));
  } else if (verification.batch_sizes) {
    notes.push(trans.__('at batch sizes %1', verification.batch_sizes.join(' and ')));
  }
  if (notes.length) {
    node.append(el('div', 'jp-ConvertReport-note', notes.join('; ')));
  }
  return node;
}

function howText(report: Record<string, unknown>): string {
  return ['loaded_with', 'converted_with', 'exported_with', 'checked']
    .map(key => report[key])
    .filter((value): value is string => typeof value === 'string' && value.length > 0)
    .join('\n');
}

function listNode(items: string[]): HTMLElement | null {
  if (items.length === 0) {
    return null;
  }
  const list = el('ul');
  list.append(...items.map(item => el('li', '', item)));
  return list;
}

function versions(report: Record<string, unknown>): string {
  return [
    ['TensorFlow', report.tensorflow],
    ['PyTorch', report.torch]
  ]
    .filter(([, version]) => typeof version === 'string')
    .map(([name, version]) => `${name} ${version}`)
    .join(', ');
}

function seconds(value: unknown): string | null {
  return typeof value === 'number' ? `${value < 10 ? value.toFixed(2) : value.toFixed(1)} s` : null;
}
