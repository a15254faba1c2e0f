import { LabIcon } from '@jupyterlab/ui-components';

// A 2x2 grid with a check: a confusion matrix whose diagonal is right.
const evaluationSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M3 3h8v8H3V3Zm2 2v4h4V5H5Zm8-2h8v8h-8V3Zm0 10h8v8h-8v-8Zm2 2v4h4v-4h-4ZM3 13h8v8H3v-8Zm1.6 3.9 1.4-1.4 1.3 1.3 2.6-2.6 1.4 1.4-4 4-2.7-2.7Z"/>
  </g>
</svg>`;

export const evaluationIcon = new LabIcon({ name: 'jlab-platform:evaluation', svgstr: evaluationSvg });
