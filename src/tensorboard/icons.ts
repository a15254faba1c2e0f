import { LabIcon } from '@jupyterlab/ui-components';

// A rising line over axes: the scalar charts TensorBoard shows.
const tensorboardSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M3 3h2v16h16v2H3V3Zm16.3 3.3 1.4 1.4-6.2 6.2-3.5-3.5-3.8 3.8-1.4-1.4 5.2-5.2 3.5 3.5 4.8-4.8Z"/>
  </g>
</svg>`;

export const tensorboardIcon = new LabIcon({ name: 'jlab-platform:tensorboard', svgstr: tensorboardSvg });
