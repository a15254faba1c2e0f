"""What the owner sees: tasks with their marks, per-dataset statistics, rounds, labelers,
counts per class and labeler, agreement, disagreements, and the result files."""

from collections import Counter, defaultdict
from pathlib import Path
from typing import cast

from sqlalchemy import func, select
from sqlalchemy.orm import Session

from ..errors import NotFound
from ..paths import PathResolver
from ..store import Store
from ..store.models import CrowdLabelerRow, CrowdLabelRow, CrowdRoundRow, CrowdSampleRow, CrowdTaskRow
from ..timeutil import to_iso, utcnow
from . import results
from .agreement import Vote, agreement_report, majority
from .identity import INVITED, display_name
from .models import (
    Abilities,
    DatasetStats,
    ExportedTask,
    Labeler,
    LabelExport,
    LabelList,
    LabelRecord,
    Progress,
    ResultFiles,
    Round,
    RoundFile,
    Task,
    TaskList,
    TaskSummary,
)
from .states import FAILED, FINISHED, LABELING, CrowdState


class TaskStatus:
    def __init__(self, store: Store, paths: PathResolver) -> None:
        self.store = store
        self.paths = paths

    def overview(self) -> TaskList:
        with self.store.session() as session:
            tasks = session.scalars(select(CrowdTaskRow).order_by(CrowdTaskRow.created_at.desc())).all()
            current = {(task.id, task.round) for task in tasks}
            rounds = {
                (row.task_id, row.number): row
                for row in session.scalars(select(CrowdRoundRow)).all()
                if (row.task_id, row.number) in current
            }
            labeled = dict(
                session.execute(
                    select(CrowdSampleRow.task_id, func.count())
                    .where(CrowdSampleRow.label_count > 0)
                    .group_by(CrowdSampleRow.task_id)
                ).all()
            )
            labels = dict(
                session.execute(
                    select(CrowdLabelRow.task_id, func.count())
                    .where(CrowdLabelRow.retracted_at.is_(None))
                    .group_by(CrowdLabelRow.task_id)
                ).all()
            )
        summaries = [self._summary(task, rounds.get((task.id, task.round))) for task in tasks]
        datasets: dict[str, DatasetStats] = {}
        for task in tasks:
            stats = datasets.setdefault(
                task.dataset,
                DatasetStats(dataset=task.dataset, tasks=0, in_progress=0, finished=0, samples=0, labels=0),
            )
            stats.tasks += 1
            if task.state == FINISHED:
                stats.finished += 1
            else:
                stats.in_progress += 1
            stats.samples += int(labeled.get(task.id, 0))
            stats.labels += int(labels.get(task.id, 0))
        return TaskList(tasks=summaries, datasets=sorted(datasets.values(), key=lambda d: d.dataset))

    def detail(self, task_id: str) -> Task:
        with self.store.session() as session:
            task = _task(session, task_id)
            rounds = session.scalars(
                select(CrowdRoundRow).where(CrowdRoundRow.task_id == task_id).order_by(CrowdRoundRow.number)
            ).all()
            labelers = session.scalars(
                select(CrowdLabelerRow)
                .where(CrowdLabelerRow.task_id == task_id)
                .order_by(CrowdLabelerRow.created_at)
            ).all()
            rows = self._label_rows(session, task)
            labeler_models = [self.labeler_model(session, row) for row in labelers]
        by_round: dict[int, list[LabelRecord]] = defaultdict(list)
        for row in rows:
            by_round[row.round].append(row)
        current = next((r for r in rounds if r.number == task.round), None)
        folder = self._folder(task)
        return Task(
            **dict(self._summary(task, current)),
            rounds=[self._round(r, by_round.get(r.number, []), folder) for r in rounds],
            labelers=labeler_models,
            results=ResultFiles(
                folder=self._relative(folder), export=self._relative(folder / results.EXPORT_FILE)
            ),
        )

    def labeler_model(self, session: Session, row: CrowdLabelerRow) -> Labeler:
        count = session.scalar(
            select(func.count())
            .select_from(CrowdLabelRow)
            .where(CrowdLabelRow.labeler_id == row.id, CrowdLabelRow.retracted_at.is_(None))
        )
        expired = row.expires_at is not None and row.expires_at <= utcnow()
        return Labeler(
            id=row.id,
            name=row.name,
            kind=row.kind,
            invited_at=to_iso(row.invited_at),
            expires_at=to_iso(row.expires_at),
            revoked_at=to_iso(row.revoked_at),
            active=row.kind != INVITED or (row.revoked_at is None and not expired),
            labels=int(count or 0),
        )

    def labels(self, task_id: str) -> LabelList:
        with self.store.session() as session:
            return LabelList(labels=self._label_rows(session, _task(session, task_id)))

    def votes(self, task_id: str, number: int) -> list[tuple[str, Vote]]:
        """The majority vote of every sample labeled in round ``number``."""
        with self.store.session() as session:
            rows = session.execute(
                select(CrowdSampleRow.path, CrowdLabelRow.label)
                .join(CrowdSampleRow, CrowdSampleRow.id == CrowdLabelRow.sample_id)
                .where(
                    CrowdLabelRow.task_id == task_id,
                    CrowdLabelRow.round == number,
                    CrowdLabelRow.retracted_at.is_(None),
                )
                .order_by(CrowdSampleRow.rank, CrowdLabelRow.created_at)
            ).all()
        grouped: dict[str, list[str]] = {}
        for path, label in rows:
            grouped.setdefault(path, []).append(label)
        return [(path, majority(labels)) for path, labels in grouped.items()]

    def export(self, task_id: str) -> LabelExport:
        """Every label with its labeler: what ``labels.json`` holds."""
        detail = self.detail(task_id)
        task = ExportedTask(**detail.model_dump(include=set(ExportedTask.model_fields)))
        return LabelExport(task=task, rounds=len(detail.rounds), labels=self.labels(task_id).labels)

    # -- internals ----------------------------------------------------------

    def _label_rows(self, session: Session, task: CrowdTaskRow) -> list[LabelRecord]:
        rows = session.execute(
            select(CrowdLabelRow, CrowdSampleRow.path, CrowdLabelerRow)
            .join(CrowdSampleRow, CrowdSampleRow.id == CrowdLabelRow.sample_id)
            .join(CrowdLabelerRow, CrowdLabelerRow.id == CrowdLabelRow.labeler_id)
            .where(CrowdLabelRow.task_id == task.id, CrowdLabelRow.retracted_at.is_(None))
            .order_by(CrowdLabelRow.created_at)
        ).all()
        prefix = f"{task.dataset}/" if task.dataset else ""
        return [
            LabelRecord(
                round=label.round,
                sample=path,
                sample_id=label.sample_id,
                label=label.label,
                labeler=display_name(labeler.kind, labeler.name),
                labeler_id=labeler.id,
                created_at=to_iso(label.created_at),
                path=prefix + path,
            )
            for label, path, labeler in rows
        ]

    def _summary(self, task: CrowdTaskRow, current: CrowdRoundRow | None) -> TaskSummary:
        complete = bool(current and current.completed_at is not None and task.state == LABELING)
        return TaskSummary(
            id=task.id,
            name=task.name,
            description=task.description,
            dataset=task.dataset,
            module=task.module,
            module_format=task.module_format,
            classes=list(task.classes),
            max_choose=task.max_choose,
            overlap=task.overlap,
            strategy=task.strategy,
            seed=task.seed,
            max_rounds=task.max_rounds,
            env=task.env,
            state=cast(CrowdState, task.state),
            mark=FINISHED if task.state == FINISHED else "in_progress",
            round=task.round,
            round_complete=complete,
            job_id=current.job_id if current else None,
            error=task.error,
            owner=task.owner,
            created_at=to_iso(task.created_at),
            finished_at=to_iso(task.finished_at),
            finished_incomplete=task.finished_incomplete,
            progress=Progress(
                labels=current.labels if current else 0,
                needed=current.needed if current else 0,
                samples=current.selected if current else 0,
                complete_samples=current.done if current else 0,
            ),
            can=Abilities(
                next_round=(task.state == LABELING and task.round < task.max_rounds) or task.state == FAILED,
                finish=task.state in (LABELING, FAILED),
                reopen=task.state == FINISHED and not task.finished_incomplete,
                invite=task.state != FINISHED,
            ),
        )

    def _round(self, row: CrowdRoundRow, labels: list[LabelRecord], folder: Path) -> Round:
        by_sample: dict[str, dict[str, str]] = defaultdict(dict)
        for label in labels:
            by_sample[label.sample][label.labeler] = label.label
        votes = Counter(
            vote.label
            for vote in (majority(list(given.values())) for given in by_sample.values())
            if vote.label is not None
        )
        files = [
            RoundFile(kind=kind, path=self._relative(path))
            for kind, path in (
                ("labels", results.round_file(folder, row.number)),
                ("ties", results.ties_file(folder, row.number)),
            )
            if path.is_file()
        ]
        return Round(
            number=row.number,
            job_id=row.job_id,
            created_at=to_iso(row.created_at),
            ready_at=to_iso(row.ready_at),
            completed_at=to_iso(row.completed_at),
            closed_at=to_iso(row.closed_at),
            scored=row.scored,
            selected=row.selected,
            complete_samples=row.done,
            labels=row.labels,
            needed=row.needed,
            notes=list(row.notes),
            by_class=dict(Counter(label.label for label in labels)),
            majority_by_class=dict(votes),
            by_labeler=dict(Counter(label.labeler for label in labels)),
            agreement=agreement_report(by_sample),
            files=files,
        )

    def _folder(self, task: CrowdTaskRow) -> Path:
        return results.task_folder(self.paths.root / task.dataset, task.id)

    def _relative(self, path: Path) -> str:
        return path.relative_to(self.paths.root).as_posix()


def _task(session: Session, task_id: str) -> CrowdTaskRow:
    task = session.get(CrowdTaskRow, task_id)
    if task is None:
        raise NotFound(f"No labeling task {task_id!r}", "List the tasks to see those that exist.")
    return task
