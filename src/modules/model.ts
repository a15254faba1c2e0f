/**
 * Modules and datasets as the REST API describes them, and the pure logic of the sidebar:
 * search and filters, form values and their validation. No JupyterLab imports at runtime:
 * unit-tested in node.
 */

import type { components } from '../api/schema';

type Schemas = components['schemas'];

export type ItemKind = Schemas['Favorite']['kind'];
export type ModuleAction = 'train' | 'predict';
export type ScalarType = 'int' | 'float' | 'str' | 'bool' | 'choice' | 'path' | 'image' | 'json';
export type Scalar = string | number | boolean;
export type FieldValue = Scalar | Scalar[] | null;

export type IProblem = Schemas['Problem'];
export type IModuleSummary = Schemas['ModuleSummary'];
export type IDatasetSummary = Schemas['DatasetSummary'];
export type CatalogItem = IModuleSummary | IDatasetSummary;
/** An input or output of an action; `group`: the heading the form shows it under (none: no group). */
export type IFieldSpec = Schemas['ModuleField'];
export type IActionSpec = Schemas['ModuleAction'];
export type IModuleDetail = Schemas['Module'];
export type IDatasetDetail = Schemas['Dataset'];
export type ISnippetRequest = Schemas['SnippetRequest'];
export type ISnippet = Schemas['Snippet'];

// -- search and filters -------------------------------------------------------

export interface IFilter {
  query: string;
  kind: ItemKind | 'all';
  task: string;
  favoritesOnly: boolean;
}

/** Every word of the query must appear in the name, title, description or a tag. */
export function matches(item: CatalogItem, filter: IFilter): boolean {
  if (filter.kind !== 'all' && item.kind !== filter.kind) {
    return false;
  }
  if (filter.task && item.task !== filter.task) {
    return false;
  }
  if (filter.favoritesOnly && !item.favorite) {
    return false;
  }
  const haystack = [item.name, item.title, item.description, ...item.tags].join('\n').toLowerCase();
  return filter.query
    .toLowerCase()
    .split(/\s+/)
    .filter(word => word.length > 0)
    .every(word => haystack.includes(word));
}

/** Favorites first, then by name. */
export function sortItems(items: CatalogItem[]): CatalogItem[] {
  return [...items].sort(
    (a, b) => Number(b.favorite) - Number(a.favorite) || a.name.localeCompare(b.name) || a.kind.localeCompare(b.kind)
  );
}

export function taskTypes(items: CatalogItem[]): string[] {
  return [...new Set(items.map(item => item.task).filter(task => task))].sort();
}

// -- form values --------------------------------------------------------------

/** The text an input shows for a value (lists as comma-separated items). */
/** A field's value (or its spec's default: any JSON value) as the form's text. */
export function formatValue(value: unknown): string {
  if (value === null || value === undefined) {
    return '';
  }
  return Array.isArray(value) ? value.map(String).join(', ') : String(value);
}

type Translate = (message: string, ...args: unknown[]) => string;

/** Where a module or dataset comes from, in words ("package:<distribution>" names the distribution). */
export function sourceLabel(__: Translate, source: string): string {
  if (source.startsWith('package:')) {
    return __('package %1', source.slice('package:'.length));
  }
  switch (source) {
    case 'workspace':
      return __('workspace');
    case 'shared':
      return __('shared');
    case 'builtin':
      return __('built-in');
    default:
      return source;
  }
}

/**
 * The JSON value of what was typed into a field, or an error message (the same rules the
 * server applies; it checks again). `null` means "left empty": the default applies.
 */
export function parseField(
  field: IFieldSpec,
  raw: string | boolean,
  __: Translate
): { value: FieldValue } | { error: string } {
  if (typeof raw === 'boolean') {
    return { value: raw };
  }
  const text = raw.trim();
  if (text === '') {
    return field.required && !field.has_default ? { error: __('Required') } : { value: null };
  }
  if (!field.list) {
    return parseScalar(field, text, __);
  }
  const values: Scalar[] = [];
  const items = text.split(',').map(item => item.trim());
  for (let index = 0; index < items.length; index++) {
    const parsed = parseScalar(field, items[index], __);
    if ('error' in parsed) {
      return { error: __('Item %1: %2', index + 1, parsed.error) };
    }
    values.push(parsed.value as Scalar);
  }
  return { value: values };
}

function parseScalar(field: IFieldSpec, text: string, __: Translate): { value: FieldValue } | { error: string } {
  switch (field.item_type) {
    case 'int':
    case 'float': {
      const number = Number(text);
      if (text === '' || !Number.isFinite(number)) {
        return { error: __('Enter a number') };
      }
      if (field.item_type === 'int' && !Number.isInteger(number)) {
        return { error: __('Enter a whole number') };
      }
      if (field.range && (number < field.range[0] || number > field.range[1])) {
        return { error: __('Must be between %1 and %2', field.range[0], field.range[1]) };
      }
      return { value: number };
    }
    case 'bool':
      if (text === 'true' || text === 'false') {
        return { value: text === 'true' };
      }
      return { error: __('Enter true or false') };
    case 'choice': {
      // The schema leaves choices open JSON values (ModuleField.choices: list[Any]); specs list scalars.
      const choice = ((field.choices ?? []) as Scalar[]).find(option => String(option) === text);
      return choice === undefined
        ? { error: __('Choose one of: %1', (field.choices ?? []).join(', ')) }
        : { value: choice };
    }
    default:
      return { value: text };
  }
}

/** A range as the form shows it under a number field, e.g. "1 – 500". */
export function rangeHint(field: IFieldSpec): string {
  return field.range ? `${field.range[0]} – ${field.range[1]}` : '';
}

/** `module_jobs/<module>-<action>-<YYYYmmdd-HHMMSS>.py`: where "Run as job" saves the call. */
export function jobScriptPath(module: string, action: ModuleAction, now: Date): string {
  const pad = (n: number): string => String(n).padStart(2, '0');
  const stamp =
    `${now.getFullYear()}${pad(now.getMonth() + 1)}${pad(now.getDate())}-` +
    `${pad(now.getHours())}${pad(now.getMinutes())}${pad(now.getSeconds())}`;
  const safe = module.replace(/[^A-Za-z0-9._-]/g, '_');
  return `${JOB_SCRIPT_FOLDER}/${safe}-${action}-${stamp}.py`;
}

export const JOB_SCRIPT_FOLDER = 'module_jobs';

/** "file:line: message" for a problem of a module or dataset. */
export function problemText(problem: IProblem): string {
  return `${problem.file}:${problem.line}: ${problem.message}`;
}
