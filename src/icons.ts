import { LabIcon } from '@jupyterlab/ui-components';

const platformSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M12 2 3 7v10l9 5 9-5V7l-9-5Zm0 2.3 6.7 3.7L12 11.7 5.3 8 12 4.3ZM5 9.7l6 3.3v6.6l-6-3.3V9.7Zm8 9.9V13l6-3.3v6.6l-6 3.3Z"/>
  </g>
</svg>`;

export const platformIcon = new LabIcon({ name: 'jlab-platform:platform', svgstr: platformSvg });

// A play triangle over a stack of "runs": run this file as a job.
const jobSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M4 4h16a2 2 0 0 1 2 2v9a2 2 0 0 1-2 2H4a2 2 0 0 1-2-2V6a2 2 0 0 1 2-2Zm0 2v9h16V6H4Zm5 1.5 6 3-6 3v-6ZM5 19h14v2H5v-2Z"/>
  </g>
</svg>`;

export const jobIcon = new LabIcon({ name: 'jlab-platform:job', svgstr: jobSvg });

// A tag between two people: a dataset labeled by several people (crowdsourcing).
const crowdSvg = `<svg xmlns="http://www.w3.org/2000/svg" width="16" height="16" viewBox="0 0 24 24">
  <g class="jp-icon3" fill="#616161">
    <path d="M6 3a3 3 0 1 1 0 6 3 3 0 0 1 0-6Zm12 0a3 3 0 1 1 0 6 3 3 0 0 1 0-6ZM1 15c0-2.2 2.2-4 5-4s5 1.8 5 4v1H1v-1Zm12 0c0-2.2 2.2-4 5-4s5 1.8 5 4v1H13v-1Zm-3 3h4l2 2-2 2h-4v-4Z"/>
  </g>
</svg>`;

export const crowdIcon = new LabIcon({ name: 'jlab-platform:crowd', svgstr: crowdSvg });
