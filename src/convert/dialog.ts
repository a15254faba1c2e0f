/** The dialogs that ask how to convert: quantization and representative data, or the ONNX input. */
import { Dialog, showDialog } from '@jupyterlab/apputils';
import { TranslationBundle } from '@jupyterlab/translation';
import { Widget } from '@lumino/widgets';

import { el, field } from '../platform/dom';
import { baseName } from '../platform/format';
import { IOnnxRequest, ITfliteRequest, parseShape, Quantize, QUANTIZE_MODES } from './model';

/** Makes the id of each candidates list unique on the page. */
let nextCandidatesId = 0;

function checkbox(className: string, text: string, checked: boolean): [HTMLLabelElement, HTMLInputElement] {
  const input = el('input', className);
  input.type = 'checkbox';
  input.checked = checked;
  const row = el('label', 'jp-ConvertForm-check');
  row.append(input, document.createTextNode(text));
  return [row, input];
}

class TfliteForm extends Widget implements Dialog.IBodyWidget<ITfliteRequest> {
  constructor(
    trans: TranslationBundle,
    private readonly path: string,
    candidates: string[]
  ) {
    super();
    this.addClass('jp-ConvertForm');
    this.addClass('jp-ConvertForm-tflite');
    const descriptions: Record<Quantize, string> = {
      none: trans.__('None: float32, the model as it is'),
      dynamic: trans.__('Dynamic range: int8 weights, about 4× smaller'),
      float16: trans.__('Float16: about 2× smaller, GPU delegates run it'),
      int8: trans.__('Full integer (int8): for integer-only hardware; needs representative data')
    };
    this._quantize = el('select', 'jp-mod-styled jp-ConvertForm-quantize');
    for (const mode of QUANTIZE_MODES) {
      this._quantize.append(new Option(descriptions[mode], mode));
    }
    this._data = el('input', 'jp-mod-styled jp-ConvertForm-data');
    this._data.placeholder = trans.__('e.g. data/calibration or inputs.npy');
    const list = el('datalist', '');
    list.id = `jp-ConvertForm-candidates-${nextCandidatesId++}`;
    for (const candidate of candidates) {
      list.append(new Option(candidate));
    }
    this._data.setAttribute('list', list.id);
    const hint = el(
      'div',
      'jp-ConvertForm-hint',
      trans.__(
        'A folder of images or a .npy array of typical inputs: it calibrates int8 and is what both models are compared on (random inputs otherwise).'
      )
    );
    const [select, selectBox] = checkbox(
      'jp-ConvertForm-selectOps',
      trans.__('Allow Select TF ops when TFLite builtins are not enough (such a model cannot be verified here)'),
      false
    );
    this._selectOps = selectBox;
    this.node.append(
      field('jp-ConvertForm', trans.__('Model'), el('code', 'jp-ConvertForm-source', path)),
      field('jp-ConvertForm', trans.__('Quantization'), this._quantize),
      field('jp-ConvertForm', trans.__('Representative data'), this._data, list, hint),
      select
    );
  }

  getValue(): ITfliteRequest {
    const data = this._data.value.trim();
    return {
      path: this.path,
      quantize: this._quantize.value as Quantize,
      ...(data ? { representative_data: data } : {}),
      allow_select_tf_ops: this._selectOps.checked
    };
  }

  private _quantize: HTMLSelectElement;
  private _data: HTMLInputElement;
  private _selectOps: HTMLInputElement;
}

class OnnxForm extends Widget implements Dialog.IBodyWidget<IOnnxRequest | null> {
  constructor(
    trans: TranslationBundle,
    private readonly path: string
  ) {
    super();
    this.addClass('jp-ConvertForm');
    this._shape = el('input', 'jp-mod-styled jp-ConvertForm-shape');
    this._shape.placeholder = trans.__('From the model, e.g. 1, 3, 224, 224');
    const hint = el(
      'div',
      'jp-ConvertForm-hint',
      trans.__(
        "Batch first. Leave it empty to take it from the model: a .pt2 keeps its example inputs; for a TorchScript .pt it comes from the first layer (a convolution's channels, and the first common image size the model runs on). The report says which was used."
      )
    );
    const [dynamic, dynamicBox] = checkbox('jp-ConvertForm-dynamic', trans.__('Any batch size (dynamic batch)'), true);
    this._dynamic = dynamicBox;
    this.node.append(
      field('jp-ConvertForm', trans.__('Model'), el('code', 'jp-ConvertForm-source', path)),
      field('jp-ConvertForm', trans.__('Input shape'), this._shape, hint),
      dynamic
    );
  }

  getValue(): IOnnxRequest | null {
    const shape = parseShape(this._shape.value);
    if (shape === null && this._shape.value.trim()) {
      return null;
    }
    return { path: this.path, dynamic_batch: this._dynamic.checked, ...(shape ? { input_shape: shape } : {}) };
  }

  private _shape: HTMLInputElement;
  private _dynamic: HTMLInputElement;
}

/** Ask how to convert ``path`` to TFLite; null when the user cancels. */
export async function askTflite(
  trans: TranslationBundle,
  path: string,
  candidates: string[]
): Promise<ITfliteRequest | null> {
  const result = await showDialog({
    title: trans.__('Convert %1 to TensorFlow Lite', baseName(path)),
    body: new TfliteForm(trans, path, candidates),
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.okButton({ label: trans.__('Convert') })]
  });
  return result.button.accept ? result.value : null;
}

/** Ask for the ONNX export's input; null when the user cancels, undefined for a shape that is not one. */
export async function askOnnx(trans: TranslationBundle, path: string): Promise<IOnnxRequest | null | undefined> {
  const result = await showDialog({
    title: trans.__('Export %1 to ONNX', baseName(path)),
    body: new OnnxForm(trans, path),
    buttons: [Dialog.cancelButton({ label: trans.__('Cancel') }), Dialog.okButton({ label: trans.__('Export') })]
  });
  if (!result.button.accept) {
    return null;
  }
  return result.value ?? undefined;
}
