"""The Python API, for notebooks and scripts: ``provrag.open(home)`` and its :class:`Client`.

```python
import provrag

with provrag.open(".provrag", ner=False) as pr:   # settings overrides as keywords
    pr.ingest("kb.jsonl")                          # or a pandas DataFrame
    hits = pr.search("lost card", k=5, origin="real").to_dataframe()
```

Every method runs the same service as the CLI command of the same name
(:mod:`provrag.services`), on one open :class:`~provrag.services.session.Session`;
errors are :class:`~kg.errors.ProvragError` subclasses, whose messages say what to fix.
"""

from __future__ import annotations

from collections.abc import Sequence
from pathlib import Path
from typing import TYPE_CHECKING, Any

from evaluation.agreement import DEFAULT_KINDS
from kg.typing import Clearance, OnDuplicate, OnInvalid, RetrieverMode, TraceFormat
from provrag.api.results import Agreement, Drift, Evaluation
from provrag.api.sparql import SparqlResult
from provrag.services.session import Session
from provrag.settings import Settings, load_settings

if TYPE_CHECKING:
    import pandas as pd

    from kg.graph import KnowledgeGraph
    from provrag.services.asking import AskOutcome
    from provrag.services.deleting import DeleteOutcome
    from provrag.services.indexing import IndexOutcome
    from provrag.services.ingesting import IngestOutcome
    from provrag.services.lineage_impact import StaleReport
    from provrag.services.releasing import ApprovalOutcome, CreateOutcome
    from provrag.services.searching import SearchOutcome
    from provrag.services.serving import ServingOutcome
    from provrag.services.tracing import TraceOutcome

__all__ = ["Agreement", "Client", "Drift", "Evaluation", "SparqlResult", "open"]

#: what ``Client.ingest`` takes: a path (file, directory, glob), several, or a DataFrame
IngestSource = str | Path | Sequence[str | Path] | Any


def open(
    home: str | Path | None = None, *, settings: Settings | None = None, **overrides: Any
) -> Client:
    """Open the project at ``home`` (default ``PROVRAG_HOME`` or ``.provrag``; created on
    first use) with its ``provrag.toml``, the ``PROVRAG_*`` environment and
    ``overrides`` (settings fields: ``ner=False``, ``store="memory"``,
    ``retrieval={"mode": "hybrid"}``...), or with ``settings`` as given.

    The client is a context manager; leaving it closes the graph store.
    """
    chosen = settings if settings is not None else load_settings(home, **overrides)
    return Client(Session.open(chosen))


class Client:
    """The use cases of provrag on one open project."""

    def __init__(self, session: Session) -> None:
        self.session = session

    @property
    def settings(self) -> Settings:
        return self.session.settings

    @property
    def kg(self) -> KnowledgeGraph:
        """The open knowledge graph (``.query()``, ``.select()`` for SPARQL by hand)."""
        return self.session.kg

    def close(self) -> None:
        self.session.close()

    def __enter__(self) -> Client:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __repr__(self) -> str:
        return f"provrag.Client(home={str(self.settings.home)!r}, store={self.settings.store!r})"

    # ------------------------------------------------------------------ writes

    def ingest(
        self,
        source: IngestSource,
        *,
        dataset: str | None = None,
        version: str | None = None,
        on_invalid: OnInvalid = "quarantine",
        on_duplicate: OnDuplicate = "skip",
        ner: bool = True,
        index: bool = True,
        name: str = "dataframe",
    ) -> IngestOutcome:
        """Ingest files (a path, directory or glob, or several) or a pandas DataFrame
        (one record per row, written to a temporary Parquet file ``<name>.parquet``)
        as one batch, then update the index. ``.report`` holds the counts,
        ``.exit_code`` is 3 when records were quarantined or skipped."""
        from provrag.services import ingesting

        options = ingesting.IngestOptions(
            dataset=dataset,
            version=version,
            on_invalid=on_invalid,
            on_duplicate=on_duplicate,
            ner=ner,
            index=index,
        )
        if isinstance(source, str | Path):
            return ingesting.ingest(self.session, [source], options)
        if hasattr(source, "to_parquet"):
            return ingesting.ingest_frame(self.session, source, options, name=name)
        return ingesting.ingest(self.session, list(source), options)

    def delete(
        self,
        *,
        ids: Sequence[str] = (),
        dataset: str | None = None,
        version: str | None = None,
        generator: str | None = None,
        prompt_version: str | None = None,
        reason: str | None = None,
    ) -> DeleteOutcome:
        """Invalidate the current samples the selectors name (AND), then update the index."""
        from provrag.services.deleting import DeleteSelector, delete

        selector = DeleteSelector(
            ids=tuple(ids),
            dataset=dataset,
            version=version,
            generator=generator,
            prompt_version=prompt_version,
        )
        return delete(self.session, selector, reason=reason)

    def index(self, *, rebuild: bool = False, check: bool = False) -> IndexOutcome:
        """Bring the index in step with the graph (``rebuild``: from scratch), or only
        compare them (``check``; ``.ok`` says whether they agree)."""
        from provrag.services.indexing import update

        return update(self.settings, self.kg, rebuild=rebuild, verify=check)

    # ------------------------------------------------------------------ reads

    def sparql(self, query: str) -> SparqlResult:
        """Run a read-only SPARQL query (provrag's prefixes predeclared)."""
        return SparqlResult(self.kg.query(query))

    def search(
        self,
        text: str,
        k: int = 10,
        *,
        retriever: RetrieverMode | None = None,
        explain: bool = False,
        **filters: Any,
    ) -> SearchOutcome:
        """The top ``k`` hits (``.hits``, ``.to_dataframe()``). ``filters``: ``origin``,
        ``dataset``, ``version``, ``generator``, ``prompt_version``, ``annotator``,
        ``labels`` (``"FIELD=VALUE"`` or a list), ``clearance``, ``kinds`` (the sample
        kinds to return; default: settings ``retrieval.answer_kinds``), ``release`` (a
        release to search; default: the one promoted; ``"current"``: the current samples)."""
        from provrag.services.searching import filters_from, search

        return search(
            self.session,
            text,
            k=k,
            mode=retriever,
            filters=filters_from(**filters),
            explain=explain,
        )

    def ask(
        self,
        text: str,
        k: int = 5,
        *,
        retriever: RetrieverMode | None = None,
        record: bool = False,
        **filters: Any,
    ) -> AskOutcome:
        """An answer cited to its samples (``.text``, ``.result.sentences``); ``record``
        stores it (its id in ``.id``, for :meth:`trace`). Filters as :meth:`search`."""
        from provrag.services.asking import ask
        from provrag.services.searching import filters_from

        return ask(
            self.session,
            text,
            k=k,
            mode=retriever,
            filters=filters_from(**filters),
            record_answer=record,
        )

    def trace(
        self,
        ref: str,
        format: TraceFormat = "json",
        *,
        dataset: str | None = None,
        release: str | None = None,
    ) -> TraceOutcome:
        """The lineage of an answer or a sample: ``.to_dict()``, ``.document`` (the
        ``format``'s text), ``.node`` (the tree). A sample id names the revision of the
        ``release`` served (default: the one promoted; ``"current"``: the current one)."""
        from provrag.services.tracing import trace

        return trace(self.kg, ref, format, dataset=dataset, release=self.session.release(release))

    def evaluate(
        self,
        golden: str | Path,
        *,
        retriever: RetrieverMode | None = None,
        k: int | Sequence[int] = 10,
        metrics: Sequence[str] | None = None,
        depth: int | None = None,
        clearance: Clearance = "restricted",
        seed: int | None = None,
        answers: bool = False,
        gates: Sequence[str] = (),
        release: str | None = None,
    ) -> Evaluation:
        """Evaluate a retriever on a golden set (a ``.jsonl`` path, or ``NAME[@VERSION]``
        of one ingested before), recorded like ``provrag eval``; ``.per_query``,
        ``.slices`` and ``.overall`` are DataFrames, ``.passed`` the KPI gates."""
        from provrag.services.eval_outcome import EvalOutcome, gates_for
        from provrag.services.evaluating import EvalOptions, evaluate
        from provrag.services.golden import resolve_golden

        checks = gates_for(self.settings, gates)
        options = EvalOptions(
            retriever_kind=retriever,
            ks=(k,) if isinstance(k, int) else tuple(k),
            metrics=metrics,
            depth=depth,
            clearance=clearance,
            seed=seed,
            answers=answers,
            release=self.session.release(release),
        )
        golden_set = resolve_golden(self.kg, golden)
        result = evaluate(self.settings, self.kg, golden_set, options)
        return Evaluation.of(EvalOutcome.of(self.settings, result, checks, kg=self.kg))

    def stats(self) -> dict[str, Any]:
        """Counts of current samples as DataFrames: ``totals`` (one row), ``by_origin``,
        ``by_dataset_version``, ``by_generator_config``, ``by_annotator``,
        ``by_label_field``."""
        from provrag.render.frames import stats_frames
        from provrag.services.quality import stats

        return stats_frames(stats(self.kg))

    def agreement(
        self,
        field: str,
        *,
        dataset: str | None = None,
        version: str | None = None,
        annotator_kinds: Sequence[str] | None = DEFAULT_KINDS,
    ) -> Agreement:
        """Inter-annotator agreement on label ``field`` (``annotator_kinds``: experts by
        default, None: every kind), as DataFrames (``.summary``, ``.pairs``,
        ``.disagreements``...)."""
        from provrag.services.quality import agreement

        report = agreement(
            self.kg, field, dataset=dataset, version=version, annotator_kinds=annotator_kinds
        )
        return Agreement.of(report)

    def drift(
        self,
        dataset: str,
        version_a: str,
        version_b: str,
        *,
        embed: bool = False,
        annotator_kinds: Sequence[str] | None = None,
    ) -> Drift:
        """How ``dataset`` moved between two versions, as DataFrames (``.samples``,
        ``.distributions``, ``.divergence``, ``.lengths``)."""
        from provrag.services.quality import drift

        report = drift(
            self.settings,
            self.kg,
            dataset,
            version_a,
            version_b,
            embed=embed,
            annotator_kinds=annotator_kinds,
        )
        return Drift.of(report)

    # ------------------------------------------------------------------ releases

    def create_release(
        self,
        name: str,
        *,
        dataset: str,
        versions: Sequence[str] = (),
        golden: str | Path | None = None,
        gates: Sequence[str] = (),
        retriever: RetrieverMode | None = None,
    ) -> CreateOutcome:
        """Create the release ``name`` (``provrag release create``): ``.gates_passed``,
        ``.run_ids``, ``.to_dict()``. A name taken raises
        :class:`~provrag.errors.ReleaseRefusedError`."""
        from provrag.services.releasing import create_release

        return create_release(
            self.session, name, dataset=dataset, versions=versions, golden=golden,
            gates=gates, mode=retriever,
        )  # fmt: skip

    def approve_release(
        self, name: str, *, by: str, note: str | None = None, override: bool = False
    ) -> ApprovalOutcome:
        """Record ``by``'s approval of ``name`` (a failed gate needs ``override`` and a note)."""
        from provrag.services.releasing import approve

        return approve(self.session, name, by=by, note=note, override=override)

    def promote(self, name: str, *, by: str, reason: str | None = None) -> ServingOutcome:
        """Serve the approved release ``name`` by default."""
        from provrag.services.serving import promote

        return promote(self.session, name, by=by, note=reason)

    def rollback(self, *, by: str, reason: str | None = None) -> ServingOutcome:
        """Serve the previous approved release again."""
        from provrag.services.serving import rollback

        return rollback(self.session, by=by, note=reason)

    def releases(self) -> list[dict[str, Any]]:
        """Every release (``provrag release list --json``)."""
        from provrag.services.release_views import list_releases

        return list_releases(self.session)

    def release(self, name: str) -> dict[str, Any]:
        """One release with its approvals and stale share (``release show --json``)."""
        from provrag.services.release_views import show_release

        return show_release(self.session, name)

    def stale(self, dataset: str | None = None) -> StaleReport:
        """Synthetic samples and golden items made from data revised or deleted since."""
        from provrag.services.lineage_impact import stale_report

        return stale_report(self.session, dataset)

    def coverage(
        self, dataset: str, *, golden: str | Path | None = None, record: bool = True
    ) -> dict[str, Any]:
        """Synthetic coverage of ``dataset`` (what ``provrag coverage --json`` prints):
        shares, uncovered real clusters (where to generate next), far synthetic samples;
        recorded as a monitor run (and alerts) unless ``record`` is false."""
        from provrag.services.coverage import coverage

        golden_spec = None if golden is None else str(golden)
        return coverage(
            self.settings, self.kg, dataset, golden=golden_spec, record=record
        ).to_dict()

    def alerts(self) -> pd.DataFrame:
        """The risk log, newest first: one row per alert (its latest note in ``note``)."""
        import pandas as pd

        from provrag.services.monitoring import alert_rows

        return pd.DataFrame(alert_rows(self.kg))
