import { LabIcon } from '@jupyterlab/ui-components';

// Two arrows in a circle over a branch: commit, pull and push in one click.
const syncSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M12 4a8 8 0 0 1 7.4 5H17v2h6V5h-2v2.3A10 10 0 0 0 2 12h2a8 8 0 0 1 8-8Zm8 8a8 8 0 0 1-15.4 3H7v-2H1v6h2v-2.3A10 10 0 0 0 22 12h-2Z"/>
    <circle cx="12" cy="12" r="2.5"/>
  </g>
</svg>`;

export const gitSyncIcon = new LabIcon({ name: 'jlab-platform:git-sync', svgstr: syncSvg });

// A branch: two commits on a line and one beside it.
const branchSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M7 3a3 3 0 0 1 1 5.8v6.4a3 3 0 1 1-2 0V8.8A3 3 0 0 1 7 3Zm10 3a3 3 0 0 1 1 5.8c-.3 3-2.7 4.2-5.6 4.6L11 16.6v-2l1.2-.2c2.3-.3 3.5-1 3.8-2.6A3 3 0 0 1 17 6Z"/>
  </g>
</svg>`;

export const gitBranchIcon = new LabIcon({ name: 'jlab-platform:git-branch', svgstr: branchSvg });
