"""Deployments: modules, scripts and ModelArts folders served over HTTP, bound to a commit."""
