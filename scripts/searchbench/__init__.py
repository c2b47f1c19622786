"""The sections of ``scripts/bench_search.py`` (run that script; it documents them).

- :mod:`searchbench.common`: the corpus (sentences of the shared datasets, or word
  lists), writing it as an ingest batch, timing and table helpers;
- :mod:`searchbench.dense`: embedding throughput, index builds and dense latency,
  exact vs HNSW crossover (sections 1-3);
- :mod:`searchbench.retriever`: the whole GraphRetriever's latency (section 4).
"""
