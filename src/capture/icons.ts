import { LabIcon } from '@jupyterlab/ui-components';

// A page of output going into a tray: keep what the cell prints.
const captureSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M6 2h9l5 5v6h-2V8h-4V4H8v9H6V2Zm3 9h6v2H9v-2Zm0-3h4v2H9V8ZM3 15h5l2 3h4l2-3h5v7H3v-7Z"/>
  </g>
</svg>`;

// An arrow turning back over the tray: show what was kept.
const restoreSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M12 2a7 7 0 0 1 7 7h2.5l-3.5 4-3.5-4H17a5 5 0 1 0-5 5v2a7 7 0 0 1 0-14ZM3 15h5l2 3h4l2-3h5v7H3v-7Z"/>
  </g>
</svg>`;

export const captureIcon = new LabIcon({ name: 'jlab-platform:capture-output', svgstr: captureSvg });
export const restoreIcon = new LabIcon({ name: 'jlab-platform:restore-output', svgstr: restoreSvg });
