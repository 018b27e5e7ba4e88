"""Responses shared by a store's processes: read back as written, one row per key, the rows of
other fingerprints dropped, on SQLite and PostgreSQL."""

from __future__ import annotations

import sqlalchemy as sa
from hypothesis import HealthCheck, given, settings
from hypothesis import strategies as st

from tremplin.store import shared_responses
from tremplin.store.shared_responses import StoredResponse

_headers = st.dictionaries(st.text(min_size=1, max_size=20), st.text(max_size=40), max_size=4)


def test_a_response_reads_back_as_written_and_replaces_its_key(any_store: sa.Engine) -> None:
    page = StoredResponse(200, {"content-type": "text/html; charset=utf-8"}, "é".encode() * 10)
    assert shared_responses.read(any_store, "a" * 64) is None
    assert shared_responses.write(any_store, "a" * 64, "f1", page)
    assert shared_responses.read(any_store, "a" * 64) == page
    newer = StoredResponse(200, {"content-type": "application/json"}, b"{}")
    assert shared_responses.write(any_store, "a" * 64, "f1", newer)
    assert shared_responses.read(any_store, "a" * 64) == newer
    assert shared_responses.count(any_store) == 1


def test_a_start_forgets_the_responses_of_other_files_or_code(any_store: sa.Engine) -> None:
    for key, tag in (("k1", "ancien"), ("k2", "ancien"), ("k3", "actuel")):
        shared_responses.write(any_store, key, tag, StoredResponse(200, {}, key.encode()))
    assert shared_responses.forget_others(any_store, "actuel") == 2
    assert shared_responses.read(any_store, "k1") is None
    assert shared_responses.read(any_store, "k3") == StoredResponse(200, {}, b"k3")


@settings(
    max_examples=25, deadline=None, suppress_health_check=[HealthCheck.function_scoped_fixture]
)
@given(st.integers(min_value=100, max_value=599), _headers, st.binary(max_size=5000))
def test_any_response_round_trips(
    store: sa.Engine, status: int, headers: dict[str, str], body: bytes
) -> None:
    response = StoredResponse(status, headers, body)
    shared_responses.write(store, "cle", "f", response)
    assert shared_responses.read(store, "cle") == response
