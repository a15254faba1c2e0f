import { Token } from '@lumino/coreutils';

import type { PlatformPanel } from './panel';

/** The Platform sidebar panel: each capability's plugin adds its section to it. */
export const IPlatformPanel = new Token<PlatformPanel>(
  'jlab-platform:IPlatformPanel',
  'The Platform sidebar panel; capabilities add their sections with addSection().'
);
export type IPlatformPanel = PlatformPanel;
