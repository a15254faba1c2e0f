/** What the model library's widgets need from the plugin (other features are reached through commands). */
import type { ITranslator, TranslationBundle } from '@jupyterlab/translation';

import type { IModel, IVersion } from './client';

export interface IModelsUI {
  readonly trans: TranslationBundle;
  /** For JupyterLab's own words around the tabs and dialogs. */
  readonly translator: ITranslator;
  /** Open (or bring forward) a model's page. */
  openModel(name: string): void;
  /** Open the view of a job (log, metrics). */
  openJob(id: string): void;
  /** Open an evaluation report, named by its folder (its last part is the report's id). */
  openReport(folder: string): void;
  /** Evaluate the run a finished training job wrote (its report opens in a tab). */
  evaluateJob(jobId: string): void;
  /** The New-model dialog; `retrain`: prefilled from a version of a model. */
  newModel(retrain?: { model: IModel; version: IVersion | null }): Promise<void>;
  /** Whether a deployment service answers on this server (Deploy is offered only then). */
  canDeploy(): boolean;
  /** Deploy `<name>@<version or alias>` through the deployment service. */
  deploy(ref: string): Promise<void>;
  /** Models changed here: the panel and the open pages refresh now instead of at their next poll. */
  changed(): void;
}
