"""One error root: every exception class of provrag derives from ProvragError and lives
in its package's ``errors.py``."""

from __future__ import annotations

import importlib
import pkgutil
from collections.abc import Iterator
from types import ModuleType

from evaluation.errors import EvaluationError
from ingest.errors import IngestError
from kg.errors import KGError, ProvragError
from provrag.errors import AppError
from retrieval.errors import RetrievalError

PACKAGES = ("kg", "ingest", "retrieval", "evaluation", "provrag")


def _modules() -> Iterator[ModuleType]:
    for name in PACKAGES:
        package = importlib.import_module(name)
        yield package
        for info in pkgutil.walk_packages(package.__path__, prefix=f"{name}."):
            yield importlib.import_module(info.name)


def _exception_classes() -> list[type[BaseException]]:
    found = []
    for module in _modules():
        for value in vars(module).values():
            if (
                isinstance(value, type)
                and issubclass(value, BaseException)
                and not issubclass(value, Warning)  # warnings are not errors
                and value.__module__ == module.__name__
            ):
                found.append(value)
    return found


def test_every_exception_class_derives_from_the_root() -> None:
    classes = _exception_classes()
    assert {KGError, IngestError, RetrievalError, EvaluationError, AppError} <= set(classes)
    assert [c for c in classes if not issubclass(c, ProvragError)] == []


def test_every_exception_class_lives_in_its_packages_errors_module() -> None:
    classes = _exception_classes()
    strays = [
        f"{c.__module__}.{c.__qualname__}"
        for c in classes
        if c.__module__ != c.__module__.split(".")[0] + ".errors"
    ]
    assert strays == []


def test_each_package_base_derives_from_the_root_directly() -> None:
    for base in (KGError, IngestError, RetrievalError, EvaluationError, AppError):
        assert base.__bases__ == (ProvragError,)
