import { LabIcon } from '@jupyterlab/ui-components';

// A box sent up into a cloud: a trained model served for others to call.
const deploySvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M12 4a6 6 0 0 1 5.9 5A4.5 4.5 0 0 1 17.5 18H15v-2h2.5a2.5 2.5 0 0 0 .2-5L16 10.9l-.2-1.6A4 4 0 0 0 8.1 9l-.3 1.5-1.5.1A2.7 2.7 0 0 0 6.5 16H9v2H6.5A4.7 4.7 0 0 1 6 8.6 6 6 0 0 1 12 4Zm0 7 4 4h-3v6h-2v-6H8l4-4Z"/>
  </g>
</svg>`;

export const deployIcon = new LabIcon({ name: 'jlab-platform:deploy', svgstr: deploySvg });
