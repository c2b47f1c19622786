from __future__ import annotations

import faiss

from retrieval.threads import limit_threads


def test_threads_are_limited_inside_and_restored_after() -> None:
    faiss.omp_set_num_threads(2)
    with limit_threads(1):
        assert faiss.omp_get_max_threads() == 1
    assert faiss.omp_get_max_threads() == 2


def test_none_leaves_the_settings_alone() -> None:
    faiss.omp_set_num_threads(2)
    with limit_threads(None):
        assert faiss.omp_get_max_threads() == 2
