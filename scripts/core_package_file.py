"""Print the path of the installed JupyterLab's core package.json.

The labextension builder otherwise resolves ``@jupyterlab/core-meta`` from the
npm registry, which does not carry every release; the installed JupyterLab
ships the same file in its ``staging`` folder.
"""

import os

import jupyterlab

print(os.path.join(os.path.dirname(jupyterlab.__file__), "staging", "package.json"))
