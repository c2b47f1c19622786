"""Remote backend: any SPARQL 1.1 Protocol + Graph Store Protocol endpoint over HTTP.

Tested against the Oxigraph server (``oxigraph serve``), whose layout is
``<base>/query`` (SPARQL query), ``<base>/update`` (SPARQL update) and
``<base>/store`` (Graph Store Protocol, also accepting a whole dataset as N-Quads).

Semantics mirror :class:`kg.store.embedded.OxigraphStore`:

- ``query(default_graphs=None)``: the default graph is the union of all graphs
  (Oxigraph's ``union-default-graph`` parameter, or every named graph listed as
  ``default-graph-uri`` for servers without it);
- ``query(default_graphs=[...])``: the default graph is the union of those graphs,
  and ``GRAPH`` patterns still see every named graph;
- each :meth:`RemoteSparqlStore.add` / :meth:`~RemoteSparqlStore.add_nquads` call is one
  HTTP request, which the server applies in one transaction.

One difference remains: the server scopes blank nodes to one request (it renames
them), so a blank node shared by two ``add`` calls becomes two nodes. provrag's own
mapping mints IRIs only; RDF files are imported in one request.

The whole-dataset count of :meth:`~RemoteSparqlStore.quad_count` assumes the server's
own default graph is not already the union (do not start Oxigraph with
``--union-default-graph``; provrag asks for the union per query).
"""

from __future__ import annotations

import io
import tempfile
import time
from collections.abc import Iterable, Sequence
from typing import IO, Any

import httpx
import pyoxigraph as ox

from kg.errors import QueryError, QueryTimeoutError, RemoteStoreError, StoreError
from kg.store.base import QueryResult, SelectResult
from kg.store.embedded import FORMATS, to_result
from kg.typing import RdfFormatName

#: What we accept from the query endpoint: results for SELECT/ASK, N-Triples for graphs.
QUERY_ACCEPT = (
    "application/sparql-results+json, application/sparql-results+xml;q=0.9, "
    "application/n-triples;q=0.8, text/turtle;q=0.7"
)
#: Past this many characters of graph parameters, the query is sent form-encoded
#: (no URL length limit) instead of as ``application/sparql-query`` with URL parameters.
MAX_URL_PARAMS = 2000
_EXCERPT = 500
_RESULT_FORMATS = {
    "application/sparql-results+json": ox.QueryResultsFormat.JSON,
    "application/json": ox.QueryResultsFormat.JSON,
    "application/sparql-results+xml": ox.QueryResultsFormat.XML,
    "text/tab-separated-values": ox.QueryResultsFormat.TSV,
}
_START_HINT = (
    "start the server (e.g. `oxigraph serve --location DIR --bind 127.0.0.1:7878`) "
    "or fix store_url / query_url / update_url / gsp_url in provrag.toml"
)


def _excerpt(text: str) -> str:
    text = text.strip()
    return text if len(text) <= _EXCERPT else text[:_EXCERPT] + " ..."


def _status_hint(status: int) -> str:
    if status in (401, 403):
        return "the endpoint refused access: check the credentials or its permissions"
    if status == 404:
        return "no such endpoint: check query_url / update_url / gsp_url (or store_url)"
    if status in (405, 406, 415):
        return (
            "the endpoint does not support this request; provrag needs SPARQL 1.1 Protocol "
            "query + update and a Graph Store endpoint accepting N-Quads (e.g. Oxigraph)"
        )
    if status >= 500:
        return "the server failed: see its log"
    return "check the request shown above"


class RemoteSparqlStore:
    """A :class:`~kg.store.base.GraphStore` talking HTTP to a SPARQL endpoint."""

    kind = "remote"
    #: one HTTP POST per chunk: fewer, larger requests
    chunk_records = 5000

    def __init__(
        self,
        query_url: str,
        update_url: str,
        gsp_url: str,
        *,
        union_default_graph_param: bool = True,
        timeout: float = 60.0,
        headers: dict[str, str] | None = None,
        client: httpx.Client | None = None,
    ) -> None:
        self.query_url = query_url
        self.update_url = update_url
        self.gsp_url = gsp_url
        #: True: ask for the union default graph with Oxigraph's ``union-default-graph``
        #: parameter; False: list every named graph as ``default-graph-uri``.
        self.union_default_graph_param = union_default_graph_param
        self.timeout = timeout
        self._client = client or httpx.Client(
            timeout=httpx.Timeout(timeout, connect=min(timeout, 10.0)),
            headers=headers or {},
        )

    @classmethod
    def from_settings(
        cls,
        base_url: str | None = None,
        query_url: str | None = None,
        update_url: str | None = None,
        gsp_url: str | None = None,
        **kwargs: Any,
    ) -> RemoteSparqlStore:
        """Endpoints from settings; with ``base_url`` only, the Oxigraph server layout."""
        base = base_url.rstrip("/") if base_url else None
        urls = {
            "query_url": query_url or (f"{base}/query" if base else None),
            "update_url": update_url or (f"{base}/update" if base else None),
            "gsp_url": gsp_url or (f"{base}/store" if base else None),
        }
        missing = [name for name, url in urls.items() if not url]
        if missing:
            raise RemoteStoreError(
                f"the remote store has no {', '.join(missing)}: set store_url to the server's "
                'base URL (e.g. store_url = "http://127.0.0.1:7878" for `oxigraph serve`) '
                "or give query_url, update_url and gsp_url explicitly"
            )
        return cls(urls["query_url"], urls["update_url"], urls["gsp_url"], **kwargs)  # type: ignore[arg-type]

    # ------------------------------------------------------------------ HTTP
    def _send(self, method: str, url: str, what: str, **kwargs: Any) -> httpx.Response:
        try:
            response = self._client.request(method, url, **kwargs)
        except httpx.TimeoutException as exc:
            raise RemoteStoreError(
                f"{what}: {url} did not answer within {self.timeout:g}s ({exc}); "
                "raise the timeout or check the server's load"
            ) from exc
        except httpx.HTTPError as exc:
            raise RemoteStoreError(f"{what}: cannot reach {url} ({exc}); {_START_HINT}") from exc
        return response

    def _check(self, response: httpx.Response, what: str, *, syntax: bool = False) -> None:
        if response.status_code < 400:
            return
        body = _excerpt(response.text)
        message = f"{what}: {response.request.url} answered HTTP {response.status_code}: {body}"
        if syntax and response.status_code == 400:
            raise QueryError(f"{message}; fix the SPARQL text")
        raise RemoteStoreError(f"{message}; {_status_hint(response.status_code)}")

    def _query(self, sparql: str, params: list[tuple[str, str]]) -> QueryResult:
        headers = {"Accept": QUERY_ACCEPT}
        if sum(len(k) + len(v) + 2 for k, v in params) <= MAX_URL_PARAMS:
            response = self._send(
                "POST",
                self.query_url,
                "SPARQL query",
                params=params,
                content=sparql.encode("utf-8"),
                headers={**headers, "Content-Type": "application/sparql-query; charset=utf-8"},
            )
        else:
            response = self._send(
                "POST",
                self.query_url,
                "SPARQL query",
                data={"query": sparql, **_group(params)},
                headers=headers,
            )
        self._check(response, "SPARQL query", syntax=True)
        return self._parse_result(response)

    def _parse_result(self, response: httpx.Response) -> QueryResult:
        media = response.headers.get("content-type", "").split(";")[0].strip().lower()
        body = response.content
        try:
            results_format = _RESULT_FORMATS.get(media)
            if results_format is not None:
                return to_result(ox.parse_query_results(body, results_format))
            rdf_format = ox.RdfFormat.from_media_type(media) if media else None
            if rdf_format is not None:
                return [
                    ox.Triple(q.subject, q.predicate, q.object) for q in ox.parse(body, rdf_format)
                ]
        except SyntaxError as exc:
            raise RemoteStoreError(
                f"SPARQL query: the {media} answer of {self.query_url} does not parse ({exc}); "
                "the endpoint may not be a SPARQL 1.1 Protocol endpoint"
            ) from exc
        raise RemoteStoreError(
            f"SPARQL query: {self.query_url} answered with an unexpected content type "
            f"{media or '(none)'!r}: {_excerpt(response.text)}; "
            "the endpoint must support SPARQL JSON results and N-Triples"
        )

    def _select(self, sparql: str) -> SelectResult:
        result = self._query(sparql, [])
        if not isinstance(result, SelectResult):
            raise RemoteStoreError(f"{self.query_url} did not answer a SELECT with solutions")
        return result

    # --------------------------------------------------------------- protocol
    def query(
        self,
        sparql: str,
        *,
        default_graphs: Sequence[str] | None = None,
        named_graphs: Sequence[str] | None = None,
        max_rows: int | None = None,
        deadline: float | None = None,
    ) -> QueryResult:
        params: list[tuple[str, str]] = []
        if default_graphs is None and named_graphs is None:
            if self.union_default_graph_param:
                params.append(("union-default-graph", ""))
            else:
                graphs = self.named_graphs()
                params += [("default-graph-uri", g) for g in graphs]
                params += [("named-graph-uri", g) for g in graphs]
        else:
            # The same list bounds GRAPH patterns too (unless named_graphs is given),
            # as embedded: a graph left out (an open batch) must not leak through GRAPH ?g.
            reachable = named_graphs if named_graphs is not None else default_graphs or ()
            params += [("default-graph-uri", g) for g in default_graphs or ()]
            params += [("named-graph-uri", g) for g in reachable]
        result = self._query(sparql, params)
        if deadline is not None and time.monotonic() > deadline:
            raise QueryTimeoutError(
                f"the query to {self.query_url} ran past its time budget; narrow it "
                "(a LIMIT, more specific patterns) or raise the timeout"
            )
        if max_rows is not None and isinstance(result, SelectResult):
            return SelectResult(result.variables, result.rows[:max_rows])
        if max_rows is not None and isinstance(result, list):
            return result[:max_rows]
        return result

    def update(self, sparql: str) -> None:
        response = self._send(
            "POST",
            self.update_url,
            "SPARQL update",
            content=sparql.encode("utf-8"),
            headers={"Content-Type": "application/sparql-update; charset=utf-8"},
        )
        self._check(response, "SPARQL update", syntax=True)

    def add(self, quads: Iterable[ox.Quad], *, atomic: bool = True) -> int:
        items = quads if isinstance(quads, list) else list(quads)
        if items:
            data = ox.serialize(items, None, ox.RdfFormat.N_QUADS) or b""
            self.add_nquads(data, atomic=atomic)
        return len(items)

    def add_nquads(self, data: bytes, *, atomic: bool = True) -> None:
        """POST the N-Quads to the dataset endpoint: one request, one server transaction."""
        if not data:
            return
        response = self._send(
            "POST",
            self.gsp_url,
            "adding N-Quads",
            content=data,
            headers={"Content-Type": "application/n-quads"},
        )
        self._check(response, "adding N-Quads")

    def drop_graph(self, graph: str) -> None:
        self.update(f"DROP SILENT GRAPH <{graph}>")

    def named_graphs(self) -> list[str]:
        rows = self._select(
            "SELECT DISTINCT ?g WHERE { GRAPH ?g { } FILTER EXISTS { GRAPH ?g { ?s ?p ?o } } }"
        )
        return sorted(g.value for r in rows.rows if isinstance(g := r.get("g"), ox.NamedNode))

    def quad_count(self, graph: str | None = None) -> int:
        if graph is None:
            sparql = (
                "SELECT (COUNT(*) AS ?n) WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
            )
        else:
            sparql = f"SELECT (COUNT(*) AS ?n) WHERE {{ GRAPH <{graph}> {{ ?s ?p ?o }} }}"
        rows = self._select(sparql)
        term = rows.rows[0].get("n") if rows.rows else None
        return int(term.value) if isinstance(term, ox.Literal) else 0

    def dump(self, out: IO[bytes], fmt: RdfFormatName = "nquads") -> None:
        rdf_format = FORMATS[fmt]
        with tempfile.SpooledTemporaryFile(max_size=64 * 1024 * 1024) as spool:
            self._fetch_nquads(spool)
            spool.seek(0)
            if fmt == "nquads":
                while chunk := spool.read(1024 * 1024):
                    out.write(chunk)
                return
            quads = ox.parse(spool, ox.RdfFormat.N_QUADS)
            if rdf_format.supports_datasets:
                ox.serialize(quads, out, rdf_format)
            else:
                ox.serialize(
                    (ox.Triple(q.subject, q.predicate, q.object) for q in quads), out, rdf_format
                )

    def _fetch_nquads(self, sink: IO[bytes]) -> None:
        """The whole dataset as N-Quads: GET on the dataset endpoint, else a SELECT."""
        try:
            with self._client.stream(
                "GET", self.gsp_url, headers={"Accept": "application/n-quads"}
            ) as response:
                media = response.headers.get("content-type", "").split(";")[0].strip()
                if response.status_code < 400 and media == "application/n-quads":
                    for chunk in response.iter_bytes():
                        sink.write(chunk)
                    return
                response.read()
                if response.status_code >= 500:
                    self._check(response, "dumping the dataset")
        except httpx.TimeoutException as exc:
            raise RemoteStoreError(
                f"dumping the dataset: {self.gsp_url} did not answer within {self.timeout:g}s "
                f"({exc}); raise the timeout"
            ) from exc
        except httpx.HTTPError as exc:
            raise RemoteStoreError(
                f"dumping the dataset: cannot reach {self.gsp_url} ({exc}); {_START_HINT}"
            ) from exc
        # The endpoint cannot GET a whole dataset as N-Quads: ask SPARQL instead.
        rows = self._select(
            "SELECT ?s ?p ?o ?g WHERE { { ?s ?p ?o } UNION { GRAPH ?g { ?s ?p ?o } } }"
        )
        quads = [
            ox.Quad(r["s"], r["p"], r["o"], r.get("g") or ox.DefaultGraph())  # type: ignore[arg-type]
            for r in rows.rows
        ]
        ox.serialize(quads, sink, ox.RdfFormat.N_QUADS)

    def load(self, data: IO[bytes] | bytes, fmt: RdfFormatName, graph: str | None = None) -> int:
        rdf_format = FORMATS[fmt]
        if not rdf_format.supports_datasets and graph is None:
            raise StoreError(f"loading {fmt} needs a target graph name")
        source = io.BytesIO(data) if isinstance(data, bytes) else data
        to_graph = ox.NamedNode(graph) if graph else None
        try:
            quads = [
                ox.Quad(q.subject, q.predicate, q.object, to_graph)
                if to_graph and isinstance(q.graph_name, ox.DefaultGraph)
                else q
                for q in ox.parse(source, rdf_format)
            ]
        except SyntaxError as exc:
            raise StoreError(f"the {fmt} data does not parse: {exc}") from exc
        return self.add(quads)

    def purge(self) -> bool:
        """Nothing this client can do: the server owns its files (see GraphStore.purge)."""
        return False

    def close(self) -> None:
        self._client.close()


def _group(params: list[tuple[str, str]]) -> dict[str, list[str]]:
    grouped: dict[str, list[str]] = {}
    for key, value in params:
        grouped.setdefault(key, []).append(value)
    return grouped
