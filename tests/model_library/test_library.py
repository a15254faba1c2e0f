"""The model library on a real store (SQLite and PostgreSQL) with real training jobs."""

import hashlib
import os
import subprocess
import time
from collections.abc import Callable
from concurrent.futures import ThreadPoolExecutor

import pytest

from jlab_platform.errors import Conflict, InvalidInput, InvalidRequest, NotFound
from jlab_platform.model_library.models import NewModel, Publish, StartTraining, UpdateModel, Version
from jlab_platform.model_library.refs import Ref, is_version, parse_ref, template_major, version_text

from .conftest import Library


def new_model(library: Library, name: str = "cats", **changes: object) -> None:
    body = {
        "name": name,
        "template": "tiny",
        "data_paths": ["data/stripes"],
        "config": {"steps": 2},
        **changes,
    }
    library.service.create(NewModel.model_validate(body), "ann")


def test_versions_aliases_and_history(library: Library) -> None:
    service = library.service
    new_model(library, train=False)
    # Three trainings of template v3 at once: 3.01, then 3.02 and 3.03 published at the same moment.
    first = service.start_training("cats", StartTraining(), "ann")
    second = service.start_training(
        "cats", StartTraining(data_paths=["data/more"], config={"steps": 3}), "bob"
    )
    third = service.start_training("cats", StartTraining(), "ann")
    assert first.state in ("waiting", "training") and first.template_version == "3.0"
    assert second.data_paths == ["data/stripes", "data/more"] and second.config == {"steps": 3}
    assert service.get_model("cats").data_paths == ["data/stripes", "data/more"]  # added for good
    done = library.wait("cats", first.id)
    assert done.state == "completed" and done.progress == 1.0, done
    assert done.metrics == {"accuracy": 1.0} and done.run_dir and done.run_dir.startswith("results/tiny/run-")

    version = service.publish("cats", Publish(training_id=first.id), "ann")
    assert version.version == "3.01" and version.template == "tiny" and version.template_version == "3.0"
    head = subprocess.run(
        ["git", "-C", str(library.root), "rev-parse", "HEAD"], capture_output=True, text=True
    )
    assert version.commit == head.stdout.strip() and version.job_id == first.job_id
    assert version.images == 6 and version.data_paths == ["data/stripes"] and version.config == {"steps": 2}
    assert version.metrics == {"accuracy": 1.0} and version.published_by == "ann"
    assert service.training("cats", first.id).state == "published"
    assert [t.id for t in service.trainings_of_job(first.job_id).trainings] == [first.id]
    with pytest.raises(Conflict, match=r"already published as cats@3\.01"):
        service.publish("cats", Publish(job_id=first.job_id), "ann")

    library.wait("cats", second.id)
    library.wait("cats", third.id)
    requests = [Publish(job_id=second.job_id), Publish(training_id=third.id), Publish(training_id=second.id)]
    with ThreadPoolExecutor(3) as pool:
        outcomes = list(
            pool.map(lambda body: _outcome(lambda: service.publish("cats", body, "bob")), requests)
        )
    published = sorted(o.version for o in outcomes if not isinstance(o, Exception))
    refused = [o for o in outcomes if isinstance(o, Exception)]
    assert published == ["3.02", "3.03"] and len(refused) == 1 and isinstance(refused[0], Conflict), outcomes
    assert {service.training("cats", t.id).version for t in (second, third)} == {"3.02", "3.03"}

    # The template's next major: the model's next training publishes 4.01.
    library.set_template_version("4.0")
    retrain = service.start_training("cats", StartTraining(from_version="3.01"), "ann")
    assert retrain.from_version == "3.01" and retrain.template_version == "4.0"
    assert retrain.data_paths == ["data/stripes"] and retrain.config == {"steps": 2}
    library.wait("cats", retrain.id)
    latest = service.publish("cats", Publish(training_id=retrain.id), "ann")
    assert latest.version == "4.01" and latest.data_hash == version.data_hash
    assert [v.version for v in service.versions("cats").versions] == ["4.01", "3.03", "3.02", "3.01"]
    assert service.get_model("cats").latest_version == "4.01"

    # The checkpoint is in the content-addressed store; a version loads from a run folder made of it.
    resolved = service.resolve("cats@3.01")
    checkpoint = resolved.run_dir / "model.pt"
    assert hashlib.sha256(checkpoint.read_bytes()).hexdigest() == version.checkpoint_sha256
    assert service.blobs.path(version.checkpoint_sha256).read_bytes() == checkpoint.read_bytes()
    assert (resolved.version, resolved.template, resolved.commit) == ("3.01", "tiny", version.commit)
    assert service.resolve("cats").version == "4.01"
    checkpoint.unlink()
    assert service.resolve("cats@3.01").run_dir.joinpath("model.pt").is_file()  # made again

    # Aliases: set, move, delete, each move in the history.
    service.set_alias("cats", "production", "3.01", "ann")
    service.set_alias("cats", "production", "3.02", "bob")
    service.set_alias("cats", "staging", "4.01", "ann")
    assert service.resolve("cats@production").version == "3.02"
    assert service.version("cats", "staging").version == "4.01"
    assert service.version("cats", "3.02").aliases == ["production"]
    service.delete_alias("cats", "staging", "bob")
    listed = service.aliases("cats")
    assert [(a.alias, a.version, a.set_by) for a in listed.aliases] == [("production", "3.02", "bob")]
    assert [(m.alias, m.from_version, m.to_version, m.by) for m in listed.history] == [
        ("staging", "4.01", None, "bob"),
        ("staging", None, "4.01", "ann"),
        ("production", "3.01", "3.02", "bob"),
        ("production", None, "3.01", "ann"),
    ]
    assert service.list_models().models[0].aliases == {"production": "3.02"}
    with pytest.raises(InvalidInput, match="not an alias name"):
        service.set_alias("cats", "1.02", "3.01", "ann")
    with pytest.raises(NotFound, match=r"no version '9\.01'"):
        service.set_alias("cats", "next", "9.01", "ann")
    with pytest.raises(NotFound, match="no version or alias 'canary'"):
        service.resolve("cats@canary")
    with pytest.raises(NotFound, match="no alias 'canary'"):
        service.delete_alias("cats", "canary", "ann")

    blobs = list(service.blobs.folder.glob("??/*"))
    assert blobs
    for blob in blobs:  # published long ago: no publish in flight holds them
        os.utime(blob, (time.time() - 3600, time.time() - 3600))
    service.delete("cats")  # with everything it had: a new "cats" starts afresh
    assert not list((library.root / "results" / ".models").glob("cats@*"))
    assert not list(service.blobs.folder.glob("??/*"))  # no other model records its files
    with pytest.raises(NotFound, match="No model named 'cats'"):
        service.versions("cats")


def _outcome(call: Callable[[], Version]) -> Version | Exception:
    try:
        return call()
    except Conflict as exc:
        return exc


def test_bad_models_are_refused(sqlite_library: Library) -> None:
    library = sqlite_library
    service = library.service
    with pytest.raises(NotFound, match="No module named 'nope'"):
        new_model(library, template="nope")
    with pytest.raises(InvalidInput, match="Data path 'data/empty' is invalid: The folder holds no images"):
        new_model(library, data_paths=["data/stripes", "data/empty"])
    with pytest.raises(InvalidRequest) as unknown:
        new_model(library, config={"epochs": 3})
    assert set(unknown.value.fields) == {"epochs"}
    with pytest.raises(InvalidInput, match="must not set 'data_dir'"):
        new_model(library, config={"data_dir": "x"})
    with pytest.raises(Conflict, match="No GPU"):
        new_model(library, env="gpu")  # its first training cannot start: no model is left behind
    with pytest.raises(NotFound):
        service.get_model("cats")
    new_model(library, train=False)
    with pytest.raises(Conflict, match="exists already"):
        new_model(library, train=False)
    with pytest.raises(InvalidInput, match="bound at creation cannot be removed: data/stripes"):
        service.update("cats", UpdateModel(data_paths=["data/more"]), "ann")
    changed = service.update("cats", UpdateModel(data_paths=["data/stripes", "data/more"]), "bob")
    assert changed.data_paths == ["data/stripes", "data/more"] and changed.fixed_data_paths == [
        "data/stripes"
    ]
    assert changed.updated_by == "bob" and service.list_models("CATS tiny").total == 1
    assert service.list_models("dogs").total == 0
    with pytest.raises(NotFound, match="no version yet"):
        service.resolve("cats")
    with pytest.raises(InvalidInput, match="not a model reference"):
        service.resolve("cats@")
    with pytest.raises(InvalidInput, match="Name the training to publish"):
        service.publish("cats", Publish(), "ann")
    with pytest.raises(NotFound, match="no training 'x'"):
        service.publish("cats", Publish(training_id="x"), "ann")


def test_terminate_start_again_delete(sqlite_library: Library) -> None:
    library, service = sqlite_library, sqlite_library.service
    new_model(library, train=False, config={"steps": 3, "pause": 20})
    started = service.start_training("cats", StartTraining(), "ann")
    running = library.wait_state("cats", started.id, "training")
    with pytest.raises(Conflict, match="still running"):
        service.delete_training("cats", started.id)
    assert service.get_model("cats").trainings_active == 1
    with pytest.raises(Conflict, match="has trainings waiting or training"):
        service.delete("cats")
    assert service.terminate_training("cats", started.id).state == "terminated"
    with pytest.raises(Conflict, match="is terminated, not completed"):
        service.publish("cats", Publish(training_id=started.id), "ann")
    again = service.start_again("cats", started.id, "bob")
    assert again.job_ids == [running.job_id, again.job_id] and again.job_id != running.job_id
    assert again.state in ("waiting", "training") and again.config == {"steps": 3, "pause": 20}
    assert service.trainings_of_job(again.job_id).trainings[0].id == started.id
    assert service.trainings_of_job(running.job_id).trainings[0].job_id == again.job_id  # the one before
    assert service.trainings_of_job("%").total == 0
    service.terminate_training("cats", started.id)
    service.delete_training("cats", started.id)
    assert service.trainings("cats").total == 0 and service.get_model("cats").updated_by == "bob"


def test_template_versions() -> None:
    assert [template_major(v) for v in ("3.0", "v4", "1.2.3", "12", "", "beta")] == [3, 4, 1, 12, 1, 1]
    assert [version_text(3, 1), version_text(4, 12), version_text(1, 100)] == ["3.01", "4.12", "1.100"]
    assert parse_ref("cats") == Ref("cats", None) and parse_ref("cats@production") == Ref(
        "cats", "production"
    )
    assert is_version("1.02") and not is_version("production") and not is_version("1.2")


def test_data_path_checks(sqlite_library: Library) -> None:
    check = sqlite_library.service.check_data_path
    good = check("data/stripes")
    assert (good.valid, good.images, good.classes, good.reason) == (True, 6, ["horizontal", "vertical"], None)
    assert check("data/empty").model_dump() == {
        "path": "data/empty",
        "valid": False,
        "images": 0,
        "classes": [],
        "reason": "The folder holds no images",
    }
    assert check("data/missing").reason == "The path does not exist"
    assert check("modules/tiny/main.py").reason == "The path is not a folder"
