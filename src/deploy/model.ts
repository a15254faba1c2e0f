/**
 * Pure helpers of the Deploy UI: names as the server validates them, the form field of an input
 * type, top classes out of an answer, and the copyable call snippets. No JupyterLab imports at
 * runtime: unit-tested in node.
 */

/** A deployment's name, as the server checks it: a letter first, then letters, digits, - and _ (≤ 60). */
export const NAME_PATTERN = /^[A-Za-z][A-Za-z0-9_-]{0,59}$/;
export const NAME_MAX = 60;

/** The environment variable the snippets read the key from: it is shown once, at creation. */
export const KEY_VARIABLE = 'JLAB_DEPLOY_KEY';

type Translate = (message: string, ...args: string[]) => string;

/** What is wrong with `name`, or null when the server accepts it. */
export function nameProblem(trans: Translate, name: string): string | null {
  if (!name) {
    return trans('Give the deployment a name.');
  }
  if (name.length > NAME_MAX) {
    return trans('Use at most %1 characters.', String(NAME_MAX));
  }
  if (!/^[A-Za-z]/.test(name)) {
    return trans('Start the name with a letter.');
  }
  if (!NAME_PATTERN.test(name)) {
    return trans('Use only letters, digits, - and _.');
  }
  return null;
}

/** The form control an input type gets in the Try-it tab (types of module specs: int, float, image, list[...]). */
export type FieldKind = 'image' | 'integer' | 'number' | 'bool' | 'json' | 'text';

export function fieldKind(type: string): FieldKind {
  switch (type) {
    case 'image':
      return 'image';
    case 'int':
      return 'integer';
    case 'float':
    case 'number':
      return 'number';
    case 'bool':
      return 'bool';
    case 'str':
    case 'path':
    case 'choice':
    case 'text':
      return 'text';
    default:
      // list[...], json and anything newer are typed as JSON.
      return 'json';
  }
}

/** A class and its probability, as the Try-it tab draws it: one bar. */
export interface IScore {
  label: string;
  score: number;
}

const SHOWN_CLASSES = 5;
const LABEL_KEYS = ['label', 'class', 'class_name', 'name'];
const SCORE_KEYS = ['score', 'probability', 'confidence', 'prob'];
const MAX_DEPTH = 6;
const NESTED_KEYS = ['data', 'outputs', 'result', 'predictions', 'scores', 'probabilities', 'top'];

function isRecord(value: unknown): value is Record<string, unknown> {
  return typeof value === 'object' && value !== null && !Array.isArray(value);
}

function isProbability(value: unknown): value is number {
  return typeof value === 'number' && Number.isFinite(value) && value >= 0 && value <= 1;
}

/** `{"cat": 0.9, "dog": 0.1}`. */
function fromMapping(value: Record<string, unknown>): IScore[] | null {
  const entries = Object.entries(value);
  if (entries.length < 2 || !entries.every(([, score]) => isProbability(score))) {
    return null;
  }
  return entries.map(([label, score]) => ({ label, score: score as number }));
}

/** `[{"label": "cat", "score": 0.9}, ...]`: flat rows (a row holding lists is one image's answer). */
function fromRows(value: unknown[]): IScore[] | null {
  const rows: IScore[] = [];
  for (const item of value) {
    if (!isRecord(item) || Object.values(item).some(entry => typeof entry === 'object' && entry !== null)) {
      return null;
    }
    const label = LABEL_KEYS.map(key => item[key]).find(entry => typeof entry === 'string');
    const score = SCORE_KEYS.map(key => item[key]).find(isProbability);
    if (label === undefined || score === undefined) {
      return null;
    }
    rows.push({ label: label as string, score });
  }
  return rows.length ? rows : null;
}

/** `{"probability": [0.9, 0.1], "classes": ["cat", "dog"]}` (or the names in `classes`). */
function fromVector(value: Record<string, unknown>, classes: readonly string[]): IScore[] | null {
  const vector = SCORE_KEYS.map(key => value[key]).find(Array.isArray);
  const own = value.classes;
  const names = Array.isArray(own) && own.every(name => typeof name === 'string') ? (own as string[]) : classes;
  if (!vector || vector.length !== names.length || !vector.length || !vector.every(isProbability)) {
    return null;
  }
  return names.map((label, index) => ({ label, score: vector[index] as number }));
}

function find(value: unknown, classes: readonly string[], depth: number): IScore[] | null {
  if (depth > MAX_DEPTH) {
    return null;
  }
  if (Array.isArray(value)) {
    const rows = fromRows(value);
    if (rows) {
      return rows;
    }
    // One answer per image: the first is the one the user sent.
    return value.length ? find(value[0], classes, depth + 1) : null;
  }
  if (!isRecord(value)) {
    return null;
  }
  const found = fromMapping(value) ?? fromVector(value, classes);
  if (found) {
    return found;
  }
  for (const key of NESTED_KEYS) {
    if (key in value) {
      const nested = find(value[key], classes, depth + 1);
      if (nested) {
        return nested;
      }
    }
  }
  return null;
}

/**
 * The top classes of a classifier's answer, most likely first (at most 5), or null when the answer
 * is not a classification (it is then shown as JSON). `classes` names a bare probability vector.
 */
export function topClasses(answer: unknown, classes: readonly string[] = []): IScore[] | null {
  const scores = find(answer, classes, 0);
  if (!scores) {
    return null;
  }
  return [...scores].sort((a, b) => b.score - a.score).slice(0, SHOWN_CLASSES);
}

/** A JSON string as a shell single-quoted word. */
function shellQuote(text: string): string {
  return `'${text.replace(/'/g, "'\"'\"'")}'`;
}

/** Base64 values shortened in snippets: the reader replaces them with their own data. */
export function shortenForSnippet(body: Record<string, unknown>, placeholder: string): Record<string, unknown> {
  const shown: Record<string, unknown> = {};
  for (const [key, value] of Object.entries(body)) {
    shown[key] = typeof value === 'string' && value.length > 64 ? placeholder : value;
  }
  return shown;
}

/** The call with curl: the key from the environment, never written out. */
export function curlSnippet(url: string, body: Record<string, unknown>): string {
  return [
    `curl -s -X POST ${shellQuote(url)} \\`,
    `  -H "Authorization: Bearer $${KEY_VARIABLE}" \\`,
    "  -H 'Content-Type: application/json' \\",
    `  -d ${shellQuote(JSON.stringify(body))}`
  ].join('\n');
}

/** The same call from Python with requests; image inputs read from a file and base64-encoded. */
export function pythonSnippet(url: string, body: Record<string, unknown>, imageInputs: readonly string[]): string {
  const lines = ['import base64', 'import os', '', 'import requests', ''];
  const items = Object.entries(body).map(([key, value]) =>
    imageInputs.includes(key)
      ? `    ${JSON.stringify(key)}: base64.b64encode(open("image.png", "rb").read()).decode(),`
      : `    ${JSON.stringify(key)}: ${pythonLiteral(value)},`
  );
  lines.push('inputs = {', ...items, '}');
  lines.push(
    'answer = requests.post(',
    `    ${JSON.stringify(url)},`,
    `    headers={"Authorization": "Bearer " + os.environ[${JSON.stringify(KEY_VARIABLE)}]},`,
    '    json=inputs,',
    '    timeout=60,',
    ')',
    'answer.raise_for_status()',
    'print(answer.json())'
  );
  return lines.join('\n');
}

/** A JSON value as Python source (true/false/null differ). */
function pythonLiteral(value: unknown): string {
  if (value === null || value === undefined) {
    return 'None';
  }
  if (typeof value === 'boolean') {
    return value ? 'True' : 'False';
  }
  if (Array.isArray(value)) {
    return `[${value.map(pythonLiteral).join(', ')}]`;
  }
  if (isRecord(value)) {
    return `{${Object.entries(value)
      .map(([key, item]) => `${JSON.stringify(key)}: ${pythonLiteral(item)}`)
      .join(', ')}}`;
  }
  return JSON.stringify(value);
}

/** A source as a list shows it: a module run as `<module>/<run>`, a file or folder by its name. */
export function sourceLabel(source: string, module: string | null): string {
  const name = source.replace(/\/+$/, '').split('/').pop() ?? source;
  return module ? `${module}/${name}` : name;
}

/** The short form of a commit shown in lists. */
export function shortCommit(commit: string | null | undefined): string | null {
  return commit ? commit.slice(0, 8) : null;
}
