import './base.css';
import './git.css';
import './convert.css';
import './modules.css';
import './crowd.css';
import './capture.css';
import './evaluation.css';
import './tensorboard.css';
