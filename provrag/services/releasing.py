"""Create and approve releases: immutable, named selections of sample revisions.

``release create NAME --dataset D [--version V]... [--golden G] [--gate ...]``:

1. select the sample revisions: those of each ``--version`` (a later version's revision
   of a sample replaces an earlier one's), or the dataset's current samples;
2. write the members (``<R> prov:hadMember``) to the graph ``<R>/members``;
3. build the release's own index at ``<home>/releases/NAME/index`` (in a temporary
   directory, renamed into place when complete) and ``manifest.json`` beside it;
4. evaluate the release on the golden set (if any) and check the KPI gates
   (settings ``[evaluation.gates]`` and ``--gate``);
5. write the release itself (:mod:`kg.mapping.releases`) to its graph ``<R>``.

A failure before step 5 removes what steps 2-3 wrote: a name is a release only once
its graph is committed. A name is unique: creating it again is refused (exit 2),
whatever the content. A release whose gate failed is created (and reported, exit 2);
it can be approved only with ``--override`` and a note.
"""

from __future__ import annotations

import json
import os
import re
import shutil
from collections.abc import Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import TYPE_CHECKING, Any

from kg.queries.releases import SelectedSample
from provrag.errors import ReleaseError, ReleaseRefusedError, UsageError
from provrag.services.session import CURRENT, Session

if TYPE_CHECKING:
    from evaluation.gates import GateOutcome
    from kg.typing import RetrieverMode
    from provrag.services.indexing import IndexProgress

#: a release name: letters, digits, ``.``, ``_``, ``-``; it names a directory
_NAME = re.compile(r"[A-Za-z0-9][A-Za-z0-9._-]{0,99}")
MANIFEST_FILE = "manifest.json"


def check_name(name: str) -> str:
    """``name`` if it can name a release; else :class:`~provrag.errors.UsageError`."""
    if not _NAME.fullmatch(name) or name == CURRENT:
        raise UsageError(
            f"release name {name!r} is not valid: use 1-100 letters, digits, '.', '_' or '-', "
            f"starting with a letter or digit (and not {CURRENT!r}, which means the current "
            "samples)"
        )
    return name


def select_members(session: Session, dataset: str, versions: Sequence[str]) -> list[SelectedSample]:
    """The revisions a release of ``dataset`` (``versions``, or its current samples) holds."""
    from kg.queries.releases import current_selection, version_selection
    from kg.queries.versions import dataset_versions, has_dataset_version

    kg = session.kg
    if not versions:
        chosen = current_selection(kg, dataset)
        if not chosen:
            raise ReleaseError(
                f"dataset {dataset!r} has no current samples; ingest it first, or check the "
                "name (`provrag stats`)"
            )
        return sorted(chosen, key=lambda s: (s.external_id, s.revision))
    by_logical: dict[str, SelectedSample] = {}
    for version in versions:
        if not has_dataset_version(kg, dataset, version):
            known = ", ".join(dataset_versions(kg, dataset)) or "none"
            raise ReleaseError(
                f"dataset {dataset!r} has no version {version!r} (it has: {known}); "
                "give one of those to --version"
            )
        for s in version_selection(kg, dataset, version):
            by_logical[s.logical] = s
    if not by_logical:
        raise ReleaseError(
            f"version(s) {', '.join(versions)} of dataset {dataset!r} hold no sample (all "
            "deleted?); a release needs at least one"
        )
    return sorted(by_logical.values(), key=lambda s: (s.external_id, s.revision))


def manifest_hash(members: Sequence[SelectedSample]) -> str:
    """sha256 over the members' external ids, revisions and content hashes, in order."""
    from kg import ids

    return ids.sha256_hex(
        "\n".join(f"{m.external_id}\t{m.revision}\t{m.content_hash}" for m in members)
    )


@dataclass
class CreateOutcome:
    """A release created: its members, index, evaluation runs and gate results."""

    name: str
    dataset: str
    versions: list[str]
    members: int
    manifest_hash: str
    directory: Path
    index: dict[str, Any] | None
    run_ids: list[str] = field(default_factory=list)
    gates: list[GateOutcome] = field(default_factory=list)

    @property
    def gates_passed(self) -> bool:
        return all(g.passed for g in self.gates)

    def to_dict(self) -> dict[str, Any]:
        from provrag.services.eval_outcome import gate_json

        return {
            "name": self.name,
            "dataset": self.dataset,
            "versions": self.versions,
            "members": self.members,
            "manifest_hash": self.manifest_hash,
            "directory": str(self.directory),
            "index": self.index,
            "runs": self.run_ids,
            "gates": [gate_json(g) for g in self.gates],
            "gates_passed": self.gates_passed,
        }


def _write_manifest(directory: Path, payload: dict[str, Any]) -> None:
    tmp = directory / (MANIFEST_FILE + ".tmp")
    tmp.write_text(json.dumps(payload, indent=1, sort_keys=True), encoding="utf-8")
    os.replace(tmp, directory / MANIFEST_FILE)


def notify_gate_failure(session: Session, result: Any, failed: Sequence[GateOutcome]) -> None:  # noqa: ANN401
    """THE call site of the alert when a release's gate fails at creation: one alert per
    missed gate in the risk log (``provrag alerts``), informed by the evaluation run."""
    from provrag.services.eval_outcome import record_gate_alerts

    record_gate_alerts(session.kg, result, failed)


def create_release(
    session: Session,
    name: str,
    *,
    dataset: str,
    versions: Sequence[str] = (),
    golden: str | Path | None = None,
    gates: Sequence[str] = (),
    mode: RetrieverMode | None = None,
    index_progress: IndexProgress | None = None,
) -> CreateOutcome:
    """Create the release ``name`` (see the module docstring).

    Raises :class:`~provrag.errors.ReleaseRefusedError` when the name is taken,
    :class:`~provrag.errors.ReleaseError` for an unknown dataset or version and
    :class:`~provrag.errors.UsageError` for a bad name or a gate without a golden set.
    """
    from kg import ids
    from kg.queries.releases import release_exists

    check_name(name)
    if gates and golden is None:
        raise UsageError("--gate needs --golden: a gate is checked on an evaluation run")
    kg, settings = session.kg, session.settings
    if release_exists(kg, name):
        raise ReleaseRefusedError(
            f"release {name!r} exists already, and a release never changes; pick another "
            f"name (`provrag release show {name}` shows it)"
        )
    from provrag.services.eval_outcome import gates_for

    checks = gates_for(settings, gates) if golden is not None else []  # malformed: fail early
    members = select_members(session, dataset, versions)
    release_iri = ids.release_iri(name)
    members_graph = release_iri + "/members"
    final_dir = settings.releases_dir / name
    with session.write_lock:
        kg.abort_graph(members_graph)  # a leftover of a create that crashed
        shutil.rmtree(final_dir, ignore_errors=True)
        try:
            return _create(
                session, name, dataset, list(versions), members, golden, checks, mode,
                index_progress,
            )  # fmt: skip
        except BaseException:
            kg.abort_graph(members_graph)
            shutil.rmtree(final_dir, ignore_errors=True)
            raise
        finally:
            session.changed()


def _create(
    session: Session,
    name: str,
    dataset: str,
    versions: list[str],
    members: list[SelectedSample],
    golden: str | Path | None,
    checks: list[Any],
    mode: RetrieverMode | None,
    index_progress: IndexProgress | None,
) -> CreateOutcome:
    from kg import ids
    from kg.mapping.releases import (
        GateResultIn,
        ReleaseIn,
        release_member_triples,
        release_triples,
    )
    from kg.model import now_utc
    from kg.queries.corpus import release_samples
    from provrag import wiring
    from retrieval.index_sync import CACHE_FILE, sync_index

    kg, settings = session.kg, session.settings
    release_iri = ids.release_iri(name)
    digest = manifest_hash(members)
    with kg.write_graph(release_iri + "/members") as writer:
        for start in range(0, len(members), 20_000):
            chunk = [m.revision for m in members[start : start + 20_000]]
            writer.add_statements(release_member_triples(name, chunk))
    # the index: built aside, renamed into place whole
    building = settings.releases_dir / f".{name}.building"
    shutil.rmtree(building, ignore_errors=True)
    (building / "index").mkdir(parents=True)
    cache = settings.index_dir / CACHE_FILE
    if cache.is_file():  # the main index's vectors: embed only texts never embedded
        shutil.copy2(cache, building / "index" / CACHE_FILE)
    report = sync_index(
        kg, building / "index", wiring.build_embedder(settings), rebuild=True,
        index_type=settings.index_type, hnsw_threshold=settings.hnsw_threshold,
        progress=index_progress, corpus=lambda g: release_samples(g, name),
    )  # fmt: skip
    _write_manifest(
        building,
        {
            "name": name, "dataset": dataset, "versions": versions, "manifest_hash": digest,
            "members": [
                {"id": m.external_id, "revision": m.revision, "content_hash": m.content_hash}
                for m in members
            ],
        },
    )  # fmt: skip
    final_dir = settings.releases_dir / name
    os.replace(building, final_dir)
    from retrieval.index_bundle import read_manifest

    index_manifest = read_manifest(final_dir / "index")
    retriever = wiring.build_retriever(settings, kg, mode=mode, release=name)
    run_ids: list[str] = []
    outcomes: list[GateOutcome] = []
    result: Any = None
    if golden is not None:
        outcomes, result = _evaluate(session, name, golden, checks, mode, retriever)
        run_ids.append(str(result.run_id))
    failed = [o for o in outcomes if not o.passed]
    release = ReleaseIn(
        name=name, created=now_utc(), manifest_hash=digest,
        member_count=len(members), dataset=dataset, versions=versions,
        retriever_settings=retriever.describe(), index_manifest=index_manifest,
        run_ids=run_ids,
        gates=[
            GateResultIn(str(o.gate), o.passed, o.value, run_ids[0] if run_ids else None)
            for o in outcomes
        ],
    )  # fmt: skip
    with kg.write_graph(release_iri) as writer:
        writer.add_statements(release_triples(release))
    if failed:
        notify_gate_failure(session, result, failed)
    return CreateOutcome(
        name, dataset, versions, len(members), digest, final_dir,
        {"count": report.total, "embedded": report.embedded, "reused": report.reused},
        run_ids, outcomes,
    )  # fmt: skip


def _evaluate(
    session: Session,
    name: str,
    golden: str | Path,
    checks: list[Any],
    mode: RetrieverMode | None,
    retriever: Any,  # noqa: ANN401 - the release's GraphRetriever
) -> tuple[list[GateOutcome], Any]:
    from evaluation.gates import check_gates
    from provrag.services.evaluating import EvalOptions, evaluate
    from provrag.services.golden import resolve_golden

    gold = resolve_golden(session.kg, golden)
    result = evaluate(
        session.settings, session.kg, gold,
        EvalOptions(retriever_kind=mode, release=name), retriever=retriever,
    )  # fmt: skip
    return check_gates(result, checks), result


@dataclass
class ApprovalOutcome:
    name: str
    activity: str
    by: str
    override: bool
    note: str | None

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name, "approval": self.activity, "by": self.by,
            "override": self.override, "note": self.note,
        }  # fmt: skip


def approve(
    session: Session, name: str, *, by: str, note: str | None = None, override: bool = False
) -> ApprovalOutcome:
    """Record ``by``'s approval of the release ``name``.

    A release whose gate failed at creation needs ``override`` and a ``note``: without
    ``override`` it is refused (:class:`~provrag.errors.ReleaseRefusedError`, nothing
    written); ``override`` without a note is a :class:`~provrag.errors.UsageError`.
    """
    from kg import ids
    from kg.mapping.releases import approval_triples
    from kg.model import now_utc
    from kg.queries.releases import release_row

    if not by.strip():
        raise UsageError("--by names the person who approves; it cannot be empty")
    row = release_row(session.kg, name)
    if row is None:
        raise ReleaseError(f"there is no release {name!r}; see `provrag release list`")
    if not row.gates_passed and not override:
        failed = ", ".join(g.expression for g in row.gates if not g.passed)
        raise ReleaseRefusedError(
            f"release {name!r} failed its gate(s) {failed} at creation; approving it needs "
            "--override and a --note saying why"
        )
    if override and not (note and note.strip()):
        raise UsageError("--override needs a --note saying why the failed gate is accepted")
    at = now_utc()
    activity = ids.release_approval_iri(name, f"{at:%Y%m%dT%H%M%S%f}")
    with session.write_lock, session.kg.write_graph(activity) as writer:
        writer.add_statements(
            approval_triples(
                activity, name, by, at, override=override and not row.gates_passed, note=note
            )
        )
    return ApprovalOutcome(name, activity, by, override and not row.gates_passed, note)
