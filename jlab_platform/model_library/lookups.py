"""Reading the library's rows in a session: a lookup of a missing thing is NotFound, saying what to do."""

from typing import Any

from sqlalchemy import select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..store.models import JobRow, ModelAliasRow, ModelRow, ModelTrainingRow, ModelVersionRow
from .refs import is_version


def model_row(session: Session, name: str) -> ModelRow:
    row = session.get(ModelRow, name)
    if row is None:
        raise NotFound(f"No model named {name!r}", "List the models to see their names.")
    return row


def training_row(session: Session, name: str, training_id: str) -> ModelTrainingRow:
    row = session.get(ModelTrainingRow, training_id)
    if row is None or row.model != name:
        raise NotFound(
            f"Model {name!r} has no training {training_id!r}",
            "List the model's trainings to see their ids.",
        )
    return row


def version_row(session: Session, name: str, version: str) -> ModelVersionRow:
    row = session.get(ModelVersionRow, (name, version))
    if row is None:
        raise NotFound(f"Model {name!r} has no version {version!r}", "List its versions to see them.")
    return row


def select_version(session: Session, name: str, selector: str | None) -> ModelVersionRow:
    if selector is None:
        row = session.scalars(
            select(ModelVersionRow)
            .where(ModelVersionRow.model == name)
            .order_by(ModelVersionRow.major.desc(), ModelVersionRow.minor.desc())
            .limit(1)
        ).first()
        if row is None:
            raise NotFound(f"Model {name!r} has no version yet", "Publish a completed training first.")
        return row
    if is_version(selector):
        return version_row(session, name, selector)
    alias = session.get(ModelAliasRow, (name, selector))
    if alias is None:
        raise NotFound(
            f"Model {name!r} has no version or alias {selector!r}",
            "Give a version such as 1.02 or one of its aliases (list them under aliases).",
        )
    return version_row(session, name, alias.version)


def latest_versions(session: Session, name: str | None = None) -> dict[str, str]:
    query = select(ModelVersionRow.model, ModelVersionRow.version).order_by(
        ModelVersionRow.major, ModelVersionRow.minor
    )
    if name is not None:
        query = query.where(ModelVersionRow.model == name)
    return {model: version for model, version in session.execute(query).all()}  # the highest wins


def alias_maps(session: Session, name: str | None = None) -> dict[str, dict[str, str]]:
    query = select(ModelAliasRow.model, ModelAliasRow.alias, ModelAliasRow.version)
    if name is not None:
        query = query.where(ModelAliasRow.model == name)
    found: dict[str, dict[str, str]] = {}
    for model, alias, version in session.execute(query).all():
        found.setdefault(model, {})[alias] = version
    return found


def aliases_by_version(session: Session, name: str) -> dict[str, list[str]]:
    found: dict[str, list[str]] = {}
    for alias, version in alias_maps(session, name).get(name, {}).items():
        found.setdefault(version, []).append(alias)
    return found


def training_rows(session: Session, where: Any) -> list[tuple[ModelTrainingRow, JobRow | None, str]]:
    """Trainings with their current job (None once deleted) and their model's template."""
    rows = session.execute(
        select(ModelTrainingRow, JobRow, ModelRow.template)
        .join(ModelRow, ModelRow.name == ModelTrainingRow.model)
        .outerjoin(JobRow, JobRow.id == ModelTrainingRow.job_id)
        .where(where)
        .order_by(ModelTrainingRow.created_at.desc())
    ).all()
    return [(training, job, template) for training, job, template in rows]
