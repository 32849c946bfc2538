"""Redaction: registered values in their common encodings, credential-shaped patterns, log records."""

from __future__ import annotations

import base64
import json
import logging
from collections.abc import Iterator
from urllib.parse import quote

import pytest

from governance.redaction import (
    REDACTED,
    RedactingFilter,
    SecretRegistry,
    describe_exception,
    install_log_redaction,
    redact,
    redact_data,
    register_secret,
    uninstall_log_redaction,
)

SECRET = "Tr0ub4dor&3-horse"


@pytest.fixture
def log_redaction() -> Iterator[None]:
    install_log_redaction()
    yield
    uninstall_log_redaction()


def test_registered_value_and_its_encodings_are_hidden() -> None:
    register_secret(SECRET)
    text = " | ".join(
        [
            f"plain {SECRET}",
            f"url {quote(SECRET, safe='')}",
            f"json {json.dumps({'x': SECRET})}",
            f"b64 {base64.b64encode(SECRET.encode()).decode()}",
        ]
    )
    out = redact(text)
    assert SECRET not in out
    assert quote(SECRET, safe="") not in out
    assert base64.b64encode(SECRET.encode()).decode() not in out
    assert out.count(REDACTED) >= 4


def test_short_values_are_not_registered() -> None:
    registry = SecretRegistry(patterns=())
    registry.register("abc")
    assert len(registry) == 0
    assert registry.redact("abc abc") == "abc abc"


@pytest.mark.parametrize(
    ("text", "leaked"),
    [
        ("Authorization: Basic dXNlcjpodW50ZXIy", "dXNlcjpodW50ZXIy"),
        ("headers={'Authorization': 'Bearer eyJhbGciOi.J9.abc'}", "eyJhbGciOi.J9.abc"),
        ("Authorization: SSWS 00Xyz_token_value1", "00Xyz_token_value1"),
        ("POST /oauth/token body=grant_type=password&username=u&password=hunter2x&client_id=c", "hunter2x"),
        ('{"client_secret": "cs-98765", "client_id": "abc"}', "cs-98765"),
        ("client_secret=cs-98765&scope=x", "cs-98765"),
        ("https://svc_user:pa55w0rd@instance.example.com/api", "pa55w0rd"),
        ('OAuth realm="123", oauth_signature="sig%3D%3D", oauth_token="tok123"', "sig%3D%3D"),
    ],
)
def test_patterns_catch_unregistered_credentials(text: str, leaked: str) -> None:
    out = redact(text)
    assert leaked not in out, out
    assert REDACTED.lower() in out.lower()
    own = SecretRegistry().redact(text)  # this module's patterns alone catch it too
    assert leaked not in own and REDACTED in own, own


def test_plain_prose_is_left_alone() -> None:
    text = "Basic authentication failed for user jdoe; password reset requested for ticket INC0010023"
    assert SecretRegistry().redact(text) == text


def test_redact_data_walks_nested_structures() -> None:
    register_secret(SECRET)
    data = {"a": [SECRET, {"b": f"x{SECRET}y"}], "n": 3, "ok": True}
    assert redact_data(data) == {"a": [REDACTED, {"b": f"x{REDACTED}y"}], "n": 3, "ok": True}


def test_describe_exception_is_one_safe_line() -> None:
    register_secret(SECRET)
    assert (
        describe_exception(RuntimeError(f"login with {SECRET} failed"))
        == f"RuntimeError: login with {REDACTED} failed"
    )


def test_log_records_from_any_logger_are_scrubbed(
    log_redaction: None, caplog: pytest.LogCaptureFixture
) -> None:
    register_secret(SECRET)
    logger = logging.getLogger("opspack.test.deep.child")
    with caplog.at_level(logging.DEBUG):
        logger.debug("sending %s to %s", SECRET, "servicenow")
        logger.info("Authorization: Bearer abcdef.123456")
        try:
            raise ValueError(f"bad password {SECRET}")
        except ValueError:
            logger.exception("request failed")
    text = caplog.text
    assert SECRET not in text
    assert "abcdef.123456" not in text
    assert f"sending {REDACTED} to servicenow" in text
    assert f"ValueError: bad password {REDACTED}" in text


def test_filter_on_a_handler_scrubs_records_made_before_install() -> None:
    register_secret(SECRET)
    record = logging.LogRecord("x", logging.INFO, __file__, 1, "token is %s", (SECRET,), None)
    assert RedactingFilter().filter(record) is True
    assert record.getMessage() == f"token is {REDACTED}"


def test_install_is_idempotent_and_reversible() -> None:
    before = logging.getLogRecordFactory()
    root = logging.getLogger()
    first = install_log_redaction()
    second = install_log_redaction()
    assert first is second
    assert sum(isinstance(f, RedactingFilter) for f in root.filters) == 1
    uninstall_log_redaction()
    assert logging.getLogRecordFactory() is before
    assert not any(isinstance(f, RedactingFilter) for f in root.filters)


def test_connector_errors_redact_values_registered_here() -> None:
    from connectors.errors import ServerError

    register_secret(SECRET)
    error = ServerError(
        f"upstream said: bad credentials {SECRET}", vendor="servicenow", endpoint="POST /api", status=500
    )
    assert SECRET not in str(error)
