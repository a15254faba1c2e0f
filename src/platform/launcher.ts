/** The "Platform" section of the JupyterLab Launcher: one card per capability. */
import type { JupyterFrontEnd } from '@jupyterlab/application';
import type { ILauncher } from '@jupyterlab/launcher';
import type { TranslationBundle } from '@jupyterlab/translation';
import type { LabIcon } from '@jupyterlab/ui-components';

/** A card of the Platform section. */
export interface IPlatformCard {
  /** Short and unique, e.g. 'jobs': the card's command is `jlab-platform:launcher-<name>`. */
  name: string;
  /** The card's title, already translated. */
  label: string;
  /** Its tooltip, already translated. */
  caption: string;
  icon: LabIcon;
  /** Position in the section: cards are ordered by rank (Jobs 10, Modules 20, Crowdsourcing 30...). */
  rank: number;
  execute: () => unknown;
}

/** The command a card runs (tests click the card by its label, code can run it by this id). */
export function platformCardCommand(name: string): string {
  return `jlab-platform:launcher-${name}`;
}

/**
 * Add `card` to the Launcher's Platform section (nothing when there is no Launcher).
 * Every capability adds its own card from its plugin, with `ILauncher` as an optional dependency.
 */
export function addPlatformCard(
  app: JupyterFrontEnd,
  launcher: ILauncher | null,
  trans: TranslationBundle,
  card: IPlatformCard
): void {
  if (!launcher) {
    return;
  }
  const command = platformCardCommand(card.name);
  app.commands.addCommand(command, {
    label: card.label,
    caption: card.caption,
    icon: card.icon,
    execute: card.execute
  });
  // The same translated category for every card, so they share one section.
  launcher.add({ command, category: trans.__('Platform'), rank: card.rank });
}
