"""``/models``: the model library (models, trainings, versions, aliases, batch predictions, exports)."""

import asyncio

from ..i18n import translate
from ..model_library.models import (
    Alias,
    AliasList,
    BatchPrediction,
    BatchPredictionList,
    DataPathCheck,
    DataPathQuery,
    ExportQuery,
    Model,
    ModelList,
    ModelListQuery,
    NewModel,
    Publish,
    RunQuery,
    SetAlias,
    StartBatchPrediction,
    StartTraining,
    Training,
    TrainingList,
    TrainingQuery,
    UpdateModel,
    Version,
    VersionList,
    VersionRun,
)
from ..model_library.service import ModelLibrary
from .base import ApiHandler, attachment
from .endpoint import endpoint

_DOWNLOAD_BLOCK = 1024 * 1024


class LibraryBase(ApiHandler):
    @property
    def library(self) -> ModelLibrary:
        return self.platform.model_library

    def _translated(self, training: Training) -> Training:
        if training.reason is None:
            return training
        return training.model_copy(update={"reason": translate(training.reason, self.error_locale())})


class ModelsHandler(LibraryBase):
    @endpoint(
        "List models (newest change first); q: words that must all appear",
        query=ModelListQuery,
        response=ModelList,
    )
    async def get(self, query: ModelListQuery) -> ModelList:
        return await asyncio.to_thread(self.library.list_models, query.q)

    @endpoint(
        "Create a model (and start its first training unless train is false)",
        body=NewModel,
        response=Model,
        status=201,
    )
    async def post(self, body: NewModel) -> Model:
        return await asyncio.to_thread(self.library.create, body, self.actor)


class DataPathCheckHandler(LibraryBase):
    @endpoint(
        "Check a data path: valid when it holds images; its image count and classes",
        query=DataPathQuery,
        response=DataPathCheck,
    )
    async def get(self, query: DataPathQuery) -> DataPathCheck:
        found = await asyncio.to_thread(self.library.check_data_path, query.path)
        if found.reason is None:
            return found
        return found.model_copy(update={"reason": translate(found.reason, self.error_locale())})


class JobTrainingsHandler(LibraryBase):
    @endpoint(
        "The model trainings of a job (empty when the job trains no model)",
        query=TrainingQuery,
        response=TrainingList,
    )
    async def get(self, query: TrainingQuery) -> TrainingList:
        found = await asyncio.to_thread(self.library.trainings_of_job, query.job_id)
        return TrainingList(trainings=[self._translated(t) for t in found.trainings], total=found.total)


class ModelHandler(LibraryBase):
    @endpoint("One model", response=Model)
    async def get(self, name: str) -> Model:
        return await asyncio.to_thread(self.library.get_model, name)

    @endpoint(
        "Change a model's description, config or data paths (bound paths stay)",
        body=UpdateModel,
        response=Model,
    )
    async def patch(self, name: str, body: UpdateModel) -> Model:
        return await asyncio.to_thread(self.library.update, name, body, self.actor)

    @endpoint("Delete a model with its trainings, versions, aliases and batch predictions", status=204)
    async def delete(self, name: str) -> None:
        await asyncio.to_thread(self.library.delete, name)


class TrainingsHandler(LibraryBase):
    @endpoint("The model's training tasks, newest first", response=TrainingList)
    async def get(self, name: str) -> TrainingList:
        found = await asyncio.to_thread(self.library.trainings, name)
        return TrainingList(trainings=[self._translated(t) for t in found.trainings], total=found.total)

    @endpoint(
        "Start a training task (from_version: retrain that version)",
        body=StartTraining,
        response=Training,
        status=201,
    )
    async def post(self, name: str, body: StartTraining) -> Training:
        return await asyncio.to_thread(self.library.start_training, name, body, self.actor)


class TrainingHandler(LibraryBase):
    @endpoint("One training task", response=Training)
    async def get(self, name: str, training_id: str) -> Training:
        return self._translated(await asyncio.to_thread(self.library.training, name, training_id))

    @endpoint("Delete an ended training task (its jobs stay in the Jobs list)", status=204)
    async def delete(self, name: str, training_id: str) -> None:
        await asyncio.to_thread(self.library.delete_training, name, training_id)


class TrainingTerminateHandler(LibraryBase):
    @endpoint("Terminate a training task's job", response=Training)
    async def post(self, name: str, training_id: str) -> Training:
        return await asyncio.to_thread(self.library.terminate_training, name, training_id)


class TrainingStartHandler(LibraryBase):
    @endpoint("Start a terminated or failed training task again (a new job)", response=Training)
    async def post(self, name: str, training_id: str) -> Training:
        return await asyncio.to_thread(self.library.start_again, name, training_id, self.actor)


class VersionsHandler(LibraryBase):
    @endpoint("The model's versions, highest first", response=VersionList)
    async def get(self, name: str) -> VersionList:
        return await asyncio.to_thread(self.library.versions, name)

    @endpoint(
        "Publish a completed training as the next version X.YY (once per training)",
        body=Publish,
        response=Version,
        status=201,
    )
    async def post(self, name: str, body: Publish) -> Version:
        return await asyncio.to_thread(self.library.publish, name, body, self.actor)


class VersionHandler(LibraryBase):
    @endpoint("One version, by number (1.02) or alias (production)", response=Version)
    async def get(self, name: str, version: str) -> Version:
        return await asyncio.to_thread(self.library.version, name, version)


class VersionRunHandler(LibraryBase):
    @endpoint(
        "The run folder a version loads from (made from the library's store)",
        query=RunQuery,
        response=VersionRun,
    )
    async def get(self, name: str, query: RunQuery) -> VersionRun:
        ref = name if query.version is None else f"{name}@{query.version}"
        resolved = await asyncio.to_thread(self.library.resolve, ref)
        return VersionRun(
            name=resolved.name,
            version=resolved.version,
            template=resolved.template,
            run_dir=self.platform.paths.relative(resolved.run_dir),
            commit=resolved.commit,
        )


class AliasesHandler(LibraryBase):
    @endpoint("The model's aliases and the history of every move, newest first", response=AliasList)
    async def get(self, name: str) -> AliasList:
        return await asyncio.to_thread(self.library.aliases, name)


class AliasHandler(LibraryBase):
    @endpoint("Point an alias at a version (create or move it)", body=SetAlias, response=Alias)
    async def put(self, name: str, alias: str, body: SetAlias) -> Alias:
        return await asyncio.to_thread(self.library.set_alias, name, alias, body.version, self.actor)

    @endpoint("Delete an alias (the history keeps it)", status=204)
    async def delete(self, name: str, alias: str) -> None:
        await asyncio.to_thread(self.library.delete_alias, name, alias, self.actor)


class BatchPredictionsHandler(LibraryBase):
    @endpoint("The version's batch predictions, newest first", response=BatchPredictionList)
    async def get(self, name: str, version: str) -> BatchPredictionList:
        return await asyncio.to_thread(self.library.predictions.list, name, version)

    @endpoint(
        "Predict every image of a data path with the version, as a job",
        body=StartBatchPrediction,
        response=BatchPrediction,
        status=201,
    )
    async def post(self, name: str, version: str, body: StartBatchPrediction) -> BatchPrediction:
        return await asyncio.to_thread(self.library.predictions.start, name, version, body, self.actor)


class BatchPredictionHandler(LibraryBase):
    @endpoint("One batch prediction", response=BatchPrediction)
    async def get(self, name: str, version: str, prediction_id: str) -> BatchPrediction:
        return await asyncio.to_thread(self.library.predictions.get, name, version, prediction_id)


class ExportHandler(LibraryBase):
    @endpoint(
        "Download the version: its original checkpoint, or converted to ONNX or TFLite",
        query=ExportQuery,
        raw="application/octet-stream",
    )
    async def get(self, name: str, version: str, query: ExportQuery) -> None:
        path = await asyncio.to_thread(self.library.predictions.export, name, version, query.format)
        self.set_header("Content-Type", "application/octet-stream")
        self.set_header("Content-Disposition", attachment(path.name))
        with open(path, "rb") as source:
            while block := source.read(_DOWNLOAD_BLOCK):
                self.write(block)
                await self.flush()
        self.finish()


_NAME = r"(?P<name>[^/]+)"
_VERSION = r"(?P<version>[^/]+)"

MODEL_LIBRARY_ROUTES: list[tuple[str, type[ApiHandler]]] = [
    ("models", ModelsHandler),
    ("models/data-paths/check", DataPathCheckHandler),
    ("models/trainings", JobTrainingsHandler),
    (rf"models/{_NAME}", ModelHandler),
    (rf"models/{_NAME}/trainings", TrainingsHandler),
    (rf"models/{_NAME}/trainings/(?P<training_id>[^/]+)", TrainingHandler),
    (rf"models/{_NAME}/trainings/(?P<training_id>[^/]+)/terminate", TrainingTerminateHandler),
    (rf"models/{_NAME}/trainings/(?P<training_id>[^/]+)/start", TrainingStartHandler),
    (rf"models/{_NAME}/versions", VersionsHandler),
    (rf"models/{_NAME}/versions/{_VERSION}", VersionHandler),
    (rf"models/{_NAME}/run", VersionRunHandler),
    (rf"models/{_NAME}/aliases", AliasesHandler),
    (rf"models/{_NAME}/aliases/(?P<alias>[^/]+)", AliasHandler),
    (rf"models/{_NAME}/versions/{_VERSION}/batch-predictions", BatchPredictionsHandler),
    (
        rf"models/{_NAME}/versions/{_VERSION}/batch-predictions/(?P<prediction_id>[^/]+)",
        BatchPredictionHandler,
    ),
    (rf"models/{_NAME}/versions/{_VERSION}/export", ExportHandler),
]
