import { LabIcon } from '@jupyterlab/ui-components';

// A stack of three boxes with a tag: trained models kept as versions.
const modelsSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M12 2 3 6.5v1.9l9 4.5 9-4.5V6.5L12 2Zm0 2.2 5.8 2.9L12 10 6.2 7.1 12 4.2ZM3 11.4v2.2l9 4.5 4-2v-2.2l-4 2-9-4.5Zm0 5v2.2L12 23l4-2v-2.2l-4 2-9-4.4ZM18 13h5v2h-1.5v6h-2v-6H18v-2Z"/>
  </g>
</svg>`;

export const modelsIcon = new LabIcon({ name: 'jlab-platform:models', svgstr: modelsSvg });
