/** What the Modules & Datasets widgets need from the plugin (notebooks, jobs, markdown). */
import type { IRenderMimeRegistry } from '@jupyterlab/rendermime';
import type { TranslationBundle } from '@jupyterlab/translation';

import { FieldValue, ModuleAction } from './model';

export interface IModulesHost {
  readonly trans: TranslationBundle;
  /** Renders READMEs as sanitized markdown; without it they show as plain text. */
  readonly rendermime: IRenderMimeRegistry | null;
  /** Insert the call into the active notebook below its active cell (and record it). */
  insertCode(module: string, action: ModuleAction, params: Record<string, FieldValue>): Promise<void>;
  /** Save the call as a script and submit it as a job. */
  runAsJob(module: string, action: ModuleAction, params: Record<string, FieldValue>): Promise<void>;
  /** The module's training runs, each with Evaluate and its reports. */
  trainingRuns(module: string): HTMLElement;
  /** Deploy one of the module's complete runs as an HTTP service (the Deploy plugin asks which). */
  deploy(module: string): void;
}
