"""List cursors: what a client holds is URL-safe, stable across releases, bound to its list, bounded in
size, and every refusal is the same 400 (no stack needed)."""
from __future__ import annotations

import re

import pytest

from functions import config, cursor
from functions.errors import BadRequest, Text

REFUSED = Text("分页游标无效或已被篡改，请从第一页重新开始", "Invalid or tampered cursor: start again from the first page")
KEY = {"pk": {"S": "港北区#incident-open"}, "sk": {"S": "01KBZ3Q7X0V5N1M2K3J4H5G6F7"}, "n": {"N": "42"}}
SCOPE = "gangbei/incidents?status=open"
# Issued for KEY in SCOPE with the stage secret below; clients may hold it across a deploy.
ISSUED = "i45WylPSqVbyU7JSMjFSqo3ViVYqyFbSUXq2Y_3TnulPe3YpZ-YlZ6ak5pXo5hek5imBFBSDFBgYejtFGQeaRxiEmfoZ-hp5G3uZeJi6m7mZK8XGAgA.UP78UsGDHO4jO8kk"


@pytest.fixture
def stage_secret(monkeypatch: pytest.MonkeyPatch):
    """A stage whose cursor secret is configured (as in AWS)."""
    monkeypatch.setattr(config, "CURSOR_SECRET", "cursor-test-secret")
    cursor._secret.cache_clear()
    yield
    cursor._secret.cache_clear()


def refused(text: str, scope: str = SCOPE) -> Text:
    with pytest.raises(BadRequest) as caught:
        cursor.decode(text, scope)
    return caught.value.detail


def test_no_key_no_cursor_and_no_cursor_no_key():
    assert cursor.encode(None, SCOPE) is None and cursor.encode({}, SCOPE) is None
    assert cursor.decode(None, SCOPE) is None and cursor.decode("", SCOPE) is None


def test_a_cursor_issued_before_still_leads_on(stage_secret):
    assert cursor.decode(ISSUED, SCOPE) == KEY


def test_the_same_key_gives_the_same_cursor_as_before(stage_secret):
    assert cursor.encode(KEY, SCOPE) == ISSUED


def test_a_cursor_is_url_safe_text_without_padding():
    for key in (KEY, {"pk": {"S": "a"}}, {"pk": {"S": "ab"}}, {"pk": {"S": "abc"}}, {"pk": {"S": "x" * 57}}):
        token = cursor.encode(key, SCOPE)
        assert re.fullmatch(r"[A-Za-z0-9_-]+\.[A-Za-z0-9_-]+", token), token
        assert cursor.decode(token, SCOPE) == key


def test_only_keys_with_string_attribute_names_come_back():
    """Whatever was signed, decode returns only the shape of a DynamoDB key."""
    assert refused(cursor.encode({1: {"S": "x"}}, SCOPE)) == REFUSED


def test_non_string_values_keep_their_type():
    key = {"pk": {"S": "t#x"}, "n": {"N": "7"}, "b": {"B": "AAE="}, "s2": {"S": "x", "N": "1"}}
    assert cursor.decode(cursor.encode(key, SCOPE), SCOPE) == key


def test_a_cursor_is_refused_on_another_list_or_tenant():
    token = cursor.encode(KEY, SCOPE)
    for scope in ("gangbei/incidents", "gangbei/incidents?status=closed", "gangbe/incidents?status=open", SCOPE + " "):
        assert refused(token, scope) == REFUSED


@pytest.mark.parametrize("text", ["x", ".", "abc.", ".abc", "é.é", "a.b.c", "!!!.???"])
def test_anything_else_is_the_same_400(text):
    assert refused(text) == REFUSED


def test_a_changed_payload_or_signature_is_refused():
    payload, _, signature = cursor.encode(KEY, SCOPE).partition(".")
    flip = {"A": "B", "B": "A"}
    assert refused(f"{payload}.{signature[:-1]}{flip.get(signature[-1], 'A')}") == REFUSED
    assert refused(f"{payload[:4]}{flip.get(payload[4], 'A')}{payload[5:]}.{signature}") == REFUSED
    assert refused(f"{payload}.{signature}x") == REFUSED
    assert refused(f"{payload}.{signature[:-2]}") == REFUSED


def test_a_cursor_that_inflates_past_the_limit_is_refused():
    """Even one we signed: no key of ours inflates that far, so it is not a cursor."""
    small = {"pk": {"S": "x" * 100}}
    assert cursor.decode(cursor.encode(small, SCOPE), SCOPE) == small
    big = {"pk": {"S": "x" * (cursor.MAX_RAW + 10)}}
    assert refused(cursor.encode(big, SCOPE)) == REFUSED
