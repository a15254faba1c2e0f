"""The base classes: ``inference(data)`` runs ``_preprocess``, ``_inference``, ``_postprocess``.

ModelArts constructs the service with the model's name and the path of its model file; the
runtime does the same (``model_path``: the folder's one weights file, else the folder).
"""

from typing import Any


class ModelService:
    def __init__(self, model_name: str, model_path: str) -> None:
        self.model_name = model_name
        self.model_path = model_path

    def _preprocess(self, data: Any) -> Any:
        return data

    def _inference(self, data: Any) -> Any:
        model = getattr(self, "model", None)
        if not callable(model):
            raise NotImplementedError(
                f"{type(self).__name__} needs _inference(data), or a callable self.model set in __init__"
            )
        if isinstance(data, dict):
            return {key: model(value) for key, value in data.items()}
        return model(data)

    def _postprocess(self, data: Any) -> Any:
        return data

    def inference(self, data: Any) -> Any:
        return self._postprocess(self._inference(self._preprocess(data)))

    def ping(self) -> dict[str, str]:
        return {"status": "OK"}


class SingleNodeService(ModelService):
    pass
