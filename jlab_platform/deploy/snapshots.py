"""A deployment's own copy of its source, and the service.json that runs it."""

from pathlib import Path

from ..jobs.snapshot import ALWAYS_EXCLUDED, ExcludeRules, take_snapshot
from .models import IOField
from .runtime.config import FieldSpec, ServiceConfig
from .sources import Source


def snapshot_source(
    code: Path,
    found: Source,
    name: str,
    checkpoint: str | None,
    inputs: list[IOField],
    outputs: list[IOField],
    commit: str | None,
    keys_file: Path,
    data_dir: Path,
    results_dir: Path,
) -> ServiceConfig:
    """Copy the source into ``code`` (later edits never change the service) and describe the service.

    A module deployment copies the module's folder (``code/module``) and the run with its
    checkpoint (``code/run``); a .py file the workspace, as a job's snapshot does; a ModelArts
    folder itself.
    """
    plain = ExcludeRules(ALWAYS_EXCLUDED)
    version = found.model_version.split("@", 1)[1] if found.model_version else (commit or "1")[:12]
    config = ServiceConfig(
        name=name,
        kind=found.kind,
        code_dir=code,
        version=version,
        keys_file=keys_file,
        outputs={f.name: FieldSpec(type=f.type, help=f.help) for f in outputs},
        module=found.module,
        run_dir=code / "run" if found.kind == "module" else None,
        entry=found.entry,
    )
    if found.kind == "module":
        assert found.run_dir is not None and found.module_dir is not None
        code.mkdir()
        take_snapshot(found.module_dir, code / "module", plain)
        take_snapshot(found.run_dir, code / "run", plain)
        return config.model_copy(update={"module_dir": code / "module", "checkpoint": checkpoint})
    if found.kind == "python":
        take_snapshot(
            found.code_root, code, ExcludeRules.for_workspace(found.code_root, [data_dir, results_dir])
        )
        # As in jobs: results/ is the shared one (a script loads its trained weights from it).
        (code / results_dir.name).symlink_to(results_dir, target_is_directory=True)
    else:
        take_snapshot(found.code_root, code, plain)
    service_inputs = {
        f.name: FieldSpec(
            type=f.type,
            help=f.help,
            required=f.name not in found.defaults,
            default=found.defaults.get(f.name),
        )
        for f in inputs
    }
    return config.model_copy(update={"inputs": service_inputs})
