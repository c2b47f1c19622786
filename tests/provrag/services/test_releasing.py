"""Release names: what can name a release (it names a directory too)."""

from __future__ import annotations

import pytest

from provrag.errors import UsageError
from provrag.services.releasing import check_name


@pytest.mark.parametrize("name", ["v1", "2026.11", "rc_2-b"])
def test_a_release_name_of_letters_digits_dots_dashes(name: str) -> None:
    assert check_name(name) == name


@pytest.mark.parametrize("name", ["", "../x", "a b", ".hidden", "current", "x" * 101])
def test_a_name_that_cannot_name_a_release_is_refused(name: str) -> None:
    with pytest.raises(UsageError, match="release name"):
        check_name(name)
