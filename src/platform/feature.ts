/**
 * What every feature plugin sets up alike: its translation bundle, its main-area tabs (one per
 * key, brought forward when open, restored with the layout), its section of the Platform panel,
 * and the `changed` call that refreshes them.
 */
import { ILayoutRestorer, JupyterFrontEnd, JupyterFrontEndPlugin } from '@jupyterlab/application';
import { ICommandPalette, IToolbarWidgetRegistry, MainAreaWidget, WidgetTracker } from '@jupyterlab/apputils';
import type { DocumentRegistry } from '@jupyterlab/docregistry';
import { IDefaultFileBrowser } from '@jupyterlab/filebrowser';
import { ILauncher } from '@jupyterlab/launcher';
import { ITranslator, nullTranslator, TranslationBundle } from '@jupyterlab/translation';
import type { LabIcon } from '@jupyterlab/ui-components';
import type { ReadonlyPartialJSONObject, Token } from '@lumino/coreutils';

import { keepInView } from './dom';
import type { PlatformPanel } from './panel';
import type { WhileShownWidget } from './shown';
import { IPlatformPanel } from './tokens';

/** What every feature's views get from its plugin; spread it into the feature's own UI object. */
export interface IFeatureUI {
  readonly trans: TranslationBundle;
  /** For JupyterLab's own words around the views (the tabs' screen-reader labels). */
  readonly translator: ITranslator;
  /** Something changed here: the section (and the open tabs, with `refreshTabs`) refresh now. */
  changed(): void;
}

export interface IFeatureOptions<T extends WhileShownWidget> {
  translator: ITranslator | null;
  restorer: ILayoutRestorer | null;
  /** The tab tracker's namespace: it names the feature's tabs in the saved layout. */
  namespace: string;
  /** The command that opens a tab; the restored layout runs it with `{ [arg]: key }`. */
  command: string;
  /** The command's argument naming the tab ('id' unless told). */
  arg?: string;
  /** What names a tab (a job id, a folder): one tab per key. */
  key: (content: T) => string;
  /** `changed` refreshes the open tabs too, not only the section. */
  refreshTabs?: boolean;
}

/** How `addOpenCommand`'s command looks and makes a new tab. */
export interface IOpenCommand<T extends WhileShownWidget> {
  label: string | ((args: ReadonlyPartialJSONObject) => string);
  icon?: LabIcon;
  create: (id: string) => MainAreaWidget<T>;
}

export class Feature<T extends WhileShownWidget> {
  readonly trans: TranslationBundle;
  readonly translator: ITranslator;
  readonly tracker: WidgetTracker<MainAreaWidget<T>>;
  readonly ui: IFeatureUI;

  constructor(
    private readonly app: JupyterFrontEnd,
    private readonly options: IFeatureOptions<T>
  ) {
    this.translator = options.translator ?? nullTranslator;
    this.trans = this.translator.load('jlab_platform');
    this.tracker = new WidgetTracker<MainAreaWidget<T>>({ namespace: options.namespace });
    const arg = options.arg ?? 'id';
    // The restorer runs the command once the layout is restored: after every plugin added its commands.
    void options.restorer?.restore(this.tracker, {
      command: options.command,
      args: widget => ({ [arg]: options.key(widget.content) }),
      name: widget => options.key(widget.content)
    });
    this.ui = { trans: this.trans, translator: this.translator, changed: () => this.changed() };
  }

  /** The open tab of `key`, if any. */
  find(key: string): MainAreaWidget<T> | undefined {
    return this.tracker.find(widget => this.options.key(widget.content) === key);
  }

  /** Track a new tab and put it in the main area. */
  add(widget: MainAreaWidget<T>, options?: DocumentRegistry.IOpenOptions): void {
    void this.tracker.add(widget);
    this.app.shell.add(widget, 'main', options);
  }

  /** The options' command: open the tab of its argument's key, or bring it forward when it is open. */
  addOpenCommand(command: IOpenCommand<T>): void {
    const shell = this.app.shell;
    const arg = this.options.arg ?? 'id';
    this.app.commands.addCommand(this.options.command, {
      label: command.label,
      icon: command.icon,
      execute: args => {
        const id = args[arg] as string;
        if (!id) {
          return;
        }
        const open = this.find(id);
        if (open) {
          shell.activateById(open.id);
          return open;
        }
        const widget = command.create(id);
        this.add(widget);
        shell.activateById(widget.id);
        return widget;
      }
    });
  }

  /** Put `section` in the Platform panel: `changed` refreshes it, `showSection` shows it. */
  addSection(platform: PlatformPanel, section: WhileShownWidget): void {
    this._platform = platform;
    this._section = section;
    platform.addSection(section);
  }

  /** Open the Platform panel at the feature's section. */
  showSection(): void {
    if (this._platform && this._section) {
      this.app.shell.activateById(this._platform.id);
      keepInView(this._section.node, this._platform.node);
    }
  }

  changed(): void {
    void this._section?.refresh();
    if (this.options.refreshTabs) {
      this.tracker.forEach(widget => void widget.content.refresh());
    }
  }

  private _platform: PlatformPanel | null = null;
  private _section: WhileShownWidget | null = null;
}

/** The optional services of a feature that acts on documents (Jobs, Deploy), in the order its plugin gets them. */
const DOCUMENT_SERVICES = [
  ITranslator,
  ICommandPalette,
  ILayoutRestorer,
  IDefaultFileBrowser,
  IToolbarWidgetRegistry,
  ILauncher
] as const;

/** What JupyterLab passes for each optional token: its service, or null where it lacks one. */
type OptionalServices<T> = { -readonly [K in keyof T]: T[K] extends Token<infer S> ? S | null : never };

/** The services of DOCUMENT_SERVICES by name. */
export interface IDocumentServices {
  translator: ITranslator | null;
  palette: ICommandPalette | null;
  restorer: ILayoutRestorer | null;
  browser: IDefaultFileBrowser | null;
  toolbars: IToolbarWidgetRegistry | null;
  launcher: ILauncher | null;
}

/**
 * The plugin of a feature with a Platform panel section that acts on documents, from their
 * toolbars, the file browser, the palette and the launcher.
 */
export function documentFeaturePlugin(
  id: string,
  description: string,
  activate: (app: JupyterFrontEnd, platform: IPlatformPanel, services: IDocumentServices) => void
): JupyterFrontEndPlugin<void> {
  return {
    id,
    description,
    autoStart: true,
    requires: [IPlatformPanel],
    optional: [...DOCUMENT_SERVICES],
    activate: (
      app: JupyterFrontEnd,
      platform: IPlatformPanel,
      ...services: OptionalServices<typeof DOCUMENT_SERVICES>
    ) => {
      const [translator, palette, restorer, browser, toolbars, launcher] = services;
      activate(app, platform, { translator, palette, restorer, browser, toolbars, launcher });
    }
  };
}
