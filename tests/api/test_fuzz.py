"""An API fuzzer (schemathesis) over /openapi.json: no server error and no undocumented status, with and without
an editor token, on a small archive with the fake embedder (the checks are about the HTTP surface, not quality)."""

from __future__ import annotations

from collections.abc import Iterator

import pytest
import schemathesis
from hypothesis import HealthCheck, given, settings
from hypothesis.errors import Unsatisfiable
from schemathesis import GenerationMode
from schemathesis.checks import not_a_server_error
from schemathesis.specs.openapi.checks import (
    content_type_conformance,
    response_schema_conformance,
    status_code_conformance,
)

from api.app import create_app
from api.services import Services
from tests.fakes import small_archive

TOKEN = "fuzz-editor-token"
EDITOR = {"Authorization": f"Bearer {TOKEN}"}


@pytest.fixture(scope="module")
def fuzz_services(tmp_path_factory: pytest.TempPathFactory) -> Iterator[Services]:
    with small_archive(tmp_path_factory.mktemp("fuzz"), editor_token=TOKEN, max_upload_mb=1) as services:
        yield services


@pytest.fixture(scope="module")
def api_schema(fuzz_services: Services):
    return schemathesis.openapi.from_asgi("/openapi.json", create_app(services=fuzz_services))


bounded = settings(max_examples=25, deadline=None, suppress_health_check=list(HealthCheck), derandomize=True)
CHECKS = [not_a_server_error, status_code_conformance, content_type_conformance, response_schema_conformance]


@pytest.mark.parametrize("headers", [{}, EDITOR], ids=["anonymous", "editor"])
def test_no_server_error_and_no_undocumented_status(api_schema, headers: dict[str, str]) -> None:
    operations = [result.ok() for result in api_schema.get_all_operations()]
    assert len(operations) >= 14  # every route of the API is fuzzed
    for operation in operations:
        for mode in (GenerationMode.POSITIVE, GenerationMode.NEGATIVE):  # data that fits the schema, and not

            @bounded
            @given(case=operation.as_strategy(mode))
            def fuzz(case) -> None:
                case.call_and_validate(headers=dict(headers), checks=CHECKS)

            try:
                fuzz()
            except Unsatisfiable:  # no parameter and no body: nothing can be out of the schema
                assert mode is GenerationMode.NEGATIVE, operation.label
