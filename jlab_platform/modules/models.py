"""The library API's requests and answers (``/modules``, ``/datasets``, ``/favorites``)."""

from typing import Any, Literal

from pydantic import Field

from ..api.models import ApiModel, WorkspacePath

EntryKind = Literal["module", "dataset"]


class RefreshQuery(ApiModel):
    refresh: bool = Field(default=False, description="Look at the module and dataset folders again now.")


class Problem(ApiModel):
    file: str
    line: int | None
    message: str


class _Entry(ApiModel):
    name: str
    title: str
    description: str
    task: str
    tags: list[str]
    source: str
    path: str | None
    valid: bool
    errors: list[Problem]
    warnings: list[Problem]
    favorite: bool


class ModuleSummary(_Entry):
    kind: Literal["module"]
    version: str | None
    framework: str
    actions: list[str]
    shadowed: list[str]


class ModuleField(ApiModel):
    name: str
    type: str
    item_type: str
    is_list: bool = Field(serialization_alias="list", description="Takes a list of item_type.")
    label: str
    help: str
    default: Any
    has_default: bool
    required: bool
    range: list[float] | None
    choices: list[Any] | None
    group: str | None


class ModuleAction(ApiModel):
    description: str
    inputs: list[ModuleField]
    outputs: list[ModuleField]


class ModuleSpec(ApiModel):
    file: str
    classes: list[str]
    class_name: str | None = Field(serialization_alias="class")
    actions: dict[str, ModuleAction]


class Module(ModuleSummary):
    dir: str
    readme: str
    spec: ModuleSpec | None
    requirements: list[str]
    checkpoint: bool
    results: str = Field(description="Where this module's runs are written.")


class ModuleList(ApiModel):
    modules: list[ModuleSummary]
    total: int


class DatasetSummary(_Entry):
    kind: Literal["dataset"]
    classes: list[str]
    samples: int | None


class Dataset(DatasetSummary):
    dir: str
    readme: str


class DatasetList(ApiModel):
    datasets: list[DatasetSummary]
    total: int


class SnippetRequest(ApiModel):
    action: str = Field(min_length=1, description="train, predict, ... (the module's actions).")
    params: dict[str, Any] = Field(default_factory=dict, description="The action's inputs.")
    notebook: WorkspacePath | None = Field(default=None, description="The notebook the code goes into.")
    base_dir: WorkspacePath | None = Field(
        default=None, description="Where the code runs (default: the root)."
    )
    record: bool = Field(default=False, description="Also record the call in the notebook's deploy.yml.")
    script: bool = Field(default=False, description="Print the result (for a job script).")


class Snippet(ApiModel):
    code: str
    module: str
    action: str
    params: dict[str, Any]
    config: str | None


class Favorite(ApiModel):
    kind: EntryKind
    name: str
    favorite: bool
