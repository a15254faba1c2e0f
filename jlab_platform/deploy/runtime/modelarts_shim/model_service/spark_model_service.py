"""ModelArts' Spark MLlib base class: the service's own _preprocess/_inference/_postprocess run."""

from .model_service import SingleNodeService


class SparkServingBaseService(SingleNodeService):
    pass
