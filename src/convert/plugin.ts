/**
 * Conversion and file actions from the file browser's context menu: Convert to TensorFlow
 * Lite…, Export to ONNX…, Extract Here, Export to Python Script. Each runs on the server and
 * reports through one notification.
 */
import { JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Dialog, Notification, showDialog } from '@jupyterlab/apputils';
import { PathExt } from '@jupyterlab/coreutils';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ITranslator, nullTranslator, TranslationBundle } from '@jupyterlab/translation';

import { ApiError } from '../api';
import { convertApi } from './client';
import { baseName, errorMessage, formatBytes } from '../platform/format';
import { INFO_TOAST_MS } from '../platform/notify';
import { askOnnx, askTflite } from './dialog';
import { isArchive, isKerasModel, isNotebook, isTorchModel, ITask, ITfliteRequest } from './model';
import { detailsAction, followTask, ITaskCalls, ITaskTexts, notifyError } from './notify';

export namespace ConvertCommandIDs {
  export const tflite = 'jlab-platform:convert-tflite';
  export const onnx = 'jlab-platform:export-onnx';
  export const extract = 'jlab-platform:extract-here';
  export const exportScript = 'jlab-platform:export-script';
}

interface ISelected {
  path: string;
  isDirectory: boolean;
}

/** What the conversions need from JupyterLab: show a path, download a file, open one. */
class Workspace {
  constructor(
    private readonly app: JupyterFrontEnd,
    private readonly browser: IDefaultFileBrowser,
    readonly trans: TranslationBundle
  ) {}

  selected(): ISelected | null {
    const item = this.browser.selectedItems().next();
    return item.done ? null : { path: item.value.path, isDirectory: item.value.type === 'directory' };
  }

  /** Show ``path`` selected in the file browser. */
  async reveal(path: string): Promise<void> {
    this.app.shell.activateById(this.browser.id);
    await this.browser.model.cd(`/${PathExt.dirname(path)}`);
    await this.browser.model.refresh();
    await this.browser.selectItemByName(baseName(path));
  }

  async download(path: string): Promise<void> {
    const link = document.createElement('a');
    link.href = await this.app.serviceManager.contents.getDownloadUrl(path);
    link.download = baseName(path);
    document.body.append(link);
    link.click();
    link.remove();
  }

  /** Start the conversion worker now: the user is about to convert (best effort, errors show on Convert). */
  warm(): void {
    void convertApi.warm().catch(() => undefined);
  }

  /** Show what an extraction or conversion wrote without the user asking (Reveal) first. */
  async refresh(): Promise<void> {
    await this.browser.model.refresh();
  }

  open(path: string): void {
    void this.app.commands.execute('docmanager:open', { path });
  }

  /** Folders and .npy files beside ``path``: what representative data usually is. */
  async dataCandidates(path: string): Promise<string[]> {
    try {
      const folder = await this.app.serviceManager.contents.get(PathExt.dirname(path), { content: true });
      const items = (folder.content ?? []) as { path: string; type: string; name: string }[];
      return items
        .filter(item => item.path !== path && (item.type === 'directory' || item.name.endsWith('.npy')))
        .map(item => item.path);
    } catch {
      return [];
    }
  }

  revealAction(path: string): Notification.IAction {
    return {
      label: this.trans.__('Reveal'),
      caption: this.trans.__('Show it in the file browser'),
      callback: event => {
        event.preventDefault(); // the toast stays: Download is still one click away
        void this.reveal(path);
      }
    };
  }

  downloadAction(path: string): Notification.IAction {
    return {
      label: this.trans.__('Download'),
      callback: event => {
        event.preventDefault();
        void this.download(path);
      }
    };
  }
}

function failureText(error: unknown): [string, string] {
  const text = errorMessage(error);
  return [text, text];
}

/** Start a conversion or extraction and follow it; once it wrote something, the file browser shows it. */
async function startAndFollow(
  ws: Workspace,
  start: () => Promise<ITask>,
  calls: ITaskCalls,
  texts: ITaskTexts
): Promise<void> {
  let task: ITask;
  try {
    task = await start();
  } catch (error) {
    notifyError(ws.trans, ...failureText(error));
    return;
  }
  const done = await followTask(ws.trans, task, calls, texts);
  if (done.status === 'succeeded') {
    await ws.refresh();
  }
}

type ConversionTexts = Pick<ITaskTexts, 'pending' | 'failure' | 'cancelled' | 'failureActions'> & {
  /** The title of the report its Details show. */
  report: string;
};

/** A model conversion (TensorFlow Lite, ONNX): once it succeeded, its summary, Reveal, Download and report. */
function followConversion(ws: Workspace, start: () => Promise<ITask>, texts: ConversionTexts): Promise<void> {
  const { report, ...rest } = texts;
  return startAndFollow(
    ws,
    start,
    { get: convertApi.conversion, cancel: convertApi.cancelConversion },
    {
      ...rest,
      success: done => modelSummary(ws.trans, done),
      successActions: done => [
        ws.revealAction(done.output),
        ws.downloadAction(done.output),
        detailsAction(ws.trans, report, done)
      ]
    }
  );
}

async function convertTflite(ws: Workspace, request: ITfliteRequest): Promise<void> {
  const trans = ws.trans;
  const name = baseName(request.path);
  await followConversion(ws, () => convertApi.tflite(request), {
    pending: trans.__('Converting %1 to TensorFlow Lite', name),
    failure: done => trans.__('Converting %1 failed: %2', name, done.error?.error ?? done.message),
    cancelled: trans.__('Converting %1 was cancelled', name),
    report: trans.__('Conversion report'),
    failureActions: done =>
      done.error?.code === 'needs_select_tf_ops'
        ? [
            {
              label: trans.__('Convert with Select TF ops'),
              caption: trans.__('The device then needs the Flex delegate; the model cannot be verified here'),
              callback: () => void convertTflite(ws, { ...request, allow_select_tf_ops: true })
            }
          ]
        : []
  });
}

/** "Wrote cnn_dynamic.tflite (108 kB, was 429 kB); verified: largest difference 0.0004". */
function modelSummary(trans: TranslationBundle, task: ITask): string {
  const report = task.report ?? {};
  const size = trans.__('%1, was %2', formatBytes(report.output_bytes), formatBytes(report.source_bytes));
  const verification = report.verification;
  const largest = (verification?.max_abs_diff ?? 0).toPrecision(2);
  const verdict = !verification?.performed
    ? trans.__('not verified (see the report)')
    : verification.passed === false
      ? trans.__('verification failed: largest difference %1 (see the report)', largest)
      : trans.__('verified: largest difference %1', largest);
  return trans.__('Wrote %1 (%2); %3', baseName(task.output), size, verdict);
}

async function exportOnnx(ws: Workspace, path: string): Promise<void> {
  const trans = ws.trans;
  const request = await askOnnx(trans, path);
  if (request === undefined) {
    Notification.warning(trans.__('The input shape must be positive whole numbers, batch first, e.g. 1, 3, 224, 224'), {
      autoClose: 8000
    });
    return;
  }
  if (request === null) {
    return;
  }
  await followConversion(ws, () => convertApi.onnx(request), {
    pending: trans.__('Exporting %1 to ONNX', baseName(path)),
    failure: done => trans.__('Exporting %1 failed: %2', baseName(path), done.error?.error ?? done.message),
    cancelled: trans.__('Exporting %1 was cancelled', baseName(path)),
    report: trans.__('Export report'),
    failureActions: done =>
      done.error?.code === 'needs_input_shape'
        ? [{ label: trans.__('Give the input shape…'), callback: () => void exportOnnx(ws, path) }]
        : []
  });
}

async function extractHere(ws: Workspace, path: string): Promise<void> {
  const trans = ws.trans;
  await startAndFollow(
    ws,
    () => convertApi.extract(path),
    { get: convertApi.extraction, cancel: convertApi.cancelExtraction },
    {
      pending: trans.__('Extracting %1', baseName(path)),
      success: done =>
        trans.__(
          'Extracted %1 files (%2) into %3/',
          done.report?.files ?? 0,
          formatBytes(done.report?.bytes),
          done.output
        ),
      failure: done => trans.__('Extracting %1 failed: %2', baseName(path), done.error?.error ?? done.message),
      cancelled: trans.__('Extracting %1 was cancelled; nothing was kept', baseName(path)),
      successActions: done => [ws.revealAction(done.output)]
    }
  );
}

async function exportScript(ws: Workspace, path: string, overwrite = false): Promise<void> {
  const trans = ws.trans;
  try {
    const result = await convertApi.exportScript(path, overwrite);
    const message = trans.__('Exported %1 to %2', baseName(path), result.path);
    const actions = [{ label: trans.__('Open'), callback: () => ws.open(result.path) }, ws.revealAction(result.path)];
    if (result.warnings.length) {
      Notification.warning(trans.__('%1. %2', message, result.warnings[0]), { autoClose: INFO_TOAST_MS, actions });
    } else {
      Notification.success(message, { autoClose: 8000, actions });
    }
  } catch (error) {
    if (error instanceof ApiError && error.status === 409 && !overwrite) {
      const answer = await showDialog({
        title: trans.__('Replace the script?'),
        body: trans.__(
          '%1 already exists beside the notebook. Replace it? Changes made to it are lost.',
          PathExt.basename(path, '.ipynb') + '.py'
        ),
        buttons: [
          Dialog.cancelButton({ label: trans.__('Keep it') }),
          Dialog.warnButton({ label: trans.__('Replace') })
        ]
      });
      if (answer.button.accept) {
        await exportScript(ws, path, true);
      }
      return;
    }
    notifyError(trans, ...failureText(error));
  }
}

async function convertToTflite(ws: Workspace, path: string): Promise<void> {
  ws.warm();
  const request = await askTflite(ws.trans, path, await ws.dataCandidates(path));
  if (request) {
    await convertTflite(ws, request);
  }
}

interface IFileAction {
  id: string;
  label: string;
  caption: string;
  /** Whether the action applies to the selected item (the context menu shows it then). */
  applies: (item: ISelected) => boolean;
  run: (ws: Workspace, path: string) => Promise<void>;
}

function fileActions(trans: TranslationBundle): IFileAction[] {
  const file = (test: (path: string) => boolean) => (item: ISelected) => !item.isDirectory && test(item.path);
  return [
    {
      id: ConvertCommandIDs.tflite,
      label: trans.__('Convert to TensorFlow Lite…'),
      caption: trans.__('Convert this SavedModel folder, .keras or .h5 file to a verified .tflite beside it'),
      // A folder may be a SavedModel: the server checks for saved_model.pb and says so if not.
      applies: item => item.isDirectory || isKerasModel(item.path),
      run: convertToTflite
    },
    {
      id: ConvertCommandIDs.onnx,
      label: trans.__('Export to ONNX…'),
      caption: trans.__('Export this TorchScript .pt or ExportedProgram .pt2 to ONNX, verified with onnxruntime'),
      applies: file(isTorchModel),
      run: exportOnnx
    },
    {
      id: ConvertCommandIDs.extract,
      label: trans.__('Extract Here'),
      caption: trans.__('Extract into a new folder named after the archive; unsafe archives are refused'),
      applies: file(isArchive),
      run: extractHere
    },
    {
      id: ConvertCommandIDs.exportScript,
      label: trans.__('Export to Python Script'),
      caption: trans.__("Write the notebook's code as a .py file beside it"),
      applies: file(isNotebook),
      run: (ws, path) => exportScript(ws, path)
    }
  ];
}

export const convertPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jlab-platform:convert',
  description: 'Convert models to TensorFlow Lite and ONNX, extract archives, export notebooks as scripts.',
  autoStart: true,
  requires: [IDefaultFileBrowser],
  optional: [ITranslator],
  activate: (app: JupyterFrontEnd, browser: IDefaultFileBrowser, translator: ITranslator | null) => {
    const trans = (translator ?? nullTranslator).load('jlab_platform');
    const ws = new Workspace(app, browser, trans);
    // A model file the listing shows may be about to be converted: the worker starts (importing
    // TensorFlow takes seconds) while the user picks it. Once per file and page load, so the
    // listing's periodic refreshes do not keep an idle worker alive.
    const listed = new Set<string>();
    browser.model.refreshed.connect(() => {
      const models = [...browser.model.items()].filter(
        item => item.type !== 'directory' && isKerasModel(item.path) && !listed.has(item.path)
      );
      models.forEach(item => listed.add(item.path));
      if (models.length) {
        ws.warm();
      }
    });
    // The file browser selects the item under the pointer before its context menu opens.
    browser.node.addEventListener('contextmenu', () => {
      const item = ws.selected();
      if (item && !item.isDirectory && isKerasModel(item.path)) {
        ws.warm();
      }
    });
    for (const action of fileActions(trans)) {
      const target = (): string | null => {
        const item = ws.selected();
        return item && action.applies(item) ? item.path : null;
      };
      app.commands.addCommand(action.id, {
        label: action.label,
        caption: action.caption,
        isVisible: () => target() !== null,
        // `path` runs it on any path (tests, other plugins); the context menu uses the selection.
        execute: async args => {
          const path = (args.path as string | undefined) ?? target();
          if (path) {
            await action.run(ws, path);
          }
        }
      });
    }
  }
};
