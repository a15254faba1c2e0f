"""The process that serves one deployment: ``python -m jlab_platform.deploy.runtime --config ...``.

It imports nothing of tornado or Jupyter: uvicorn + Starlette, the model, and this package.
"""
