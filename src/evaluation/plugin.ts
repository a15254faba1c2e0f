/**
 * Evaluation reports: "Evaluate" on a training run (Modules panel, a training job's view) runs the
 * evaluation as a job and opens its report in a main-area tab.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { Notification } from '@jupyterlab/apputils';
import { ITranslator } from '@jupyterlab/translation';

import { Feature } from '../platform/feature';
import { errorMessage } from '../platform/format';
import { evaluationApi } from './client';
import { evaluateRun } from './dialog';
import { evaluationIcon } from './icons';
import { createReportWidget, EvaluationReport, IEvaluationUI } from './report';

export namespace EvaluationCommandIDs {
  /** Open the report of evaluation `args.id`. */
  export const open = 'jlab-platform:open-evaluation';
  /** Evaluate the run `args.run` (`args.data`: 'val', 'train' or a folder; asked when missing). */
  export const evaluateRun = 'jlab-platform:evaluate-run';
  /** Evaluate the newest complete run the job `args.job` trained. */
  export const evaluateJob = 'jlab-platform:evaluate-job';
}

export const evaluationPlugin: JupyterFrontEndPlugin<void> = {
  id: 'jlab-platform:evaluation',
  description: 'Evaluation reports of training runs: metrics, confusion matrix, drill-down into samples.',
  autoStart: true,
  optional: [ITranslator, ILayoutRestorer],
  activate: (app: JupyterFrontEnd, translator: ITranslator | null, restorer: ILayoutRestorer | null) => {
    const feature = new Feature<EvaluationReport>(app, {
      translator,
      restorer,
      namespace: 'jlab-platform-evaluation',
      command: EvaluationCommandIDs.open,
      key: report => report.evaluationId
    });
    const trans = feature.trans;
    const ui: IEvaluationUI = {
      ...feature.ui,
      openJob: id => void app.commands.execute('jlab-platform:open-job', { id })
    };

    feature.addOpenCommand({
      label: trans.__('Open Evaluation Report'),
      icon: evaluationIcon,
      create: id => createReportWidget(ui, id)
    });

    const evaluate = async (run: string, hasSplit: boolean, data?: string): Promise<void> => {
      const id = await evaluateRun(trans, run, hasSplit, data);
      if (id) {
        await app.commands.execute(EvaluationCommandIDs.open, { id });
      }
    };

    app.commands.addCommand(EvaluationCommandIDs.evaluateRun, {
      label: trans.__('Evaluate Run…'),
      icon: evaluationIcon,
      execute: async args => {
        const run = args.run as string;
        if (run) {
          await evaluate(run, args.hasSplit !== false, args.data as string | undefined);
        }
      }
    });

    app.commands.addCommand(EvaluationCommandIDs.evaluateJob, {
      label: trans.__('Evaluate the Run of this Job…'),
      icon: evaluationIcon,
      execute: async args => {
        const job = args.job as string;
        try {
          const runs = (await evaluationApi.runs({ job })).filter(run => run.status === 'complete');
          if (!runs.length) {
            Notification.warning(trans.__('Job %1 trained no complete module run to evaluate.', job), {
              autoClose: 6000
            });
            return;
          }
          await evaluate(runs[0].run, runs[0].has_split);
        } catch (error) {
          Notification.error(errorMessage(error), { autoClose: false });
        }
      }
    });
  }
};
