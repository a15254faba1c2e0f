"""ModelArts' ``model_service`` package, as much of it as a ``customize_service.py`` imports.

Only the runtime puts this folder on sys.path, in the service process of a ModelArts folder.
"""
