"""Where tickets and emails link to: PUBLIC_BASE_URL when set; deployed on the stack's own CloudFront, the SSM
parameter template.yaml fills with the distribution's address (read once per instance); locally, the dev address."""
from __future__ import annotations

from collections.abc import Iterator

import boto3
import pytest
from moto import mock_aws

from shared.booking import ticket_link
from shared.platform import clients, config


@pytest.fixture
def fresh(monkeypatch: pytest.MonkeyPatch) -> Iterator[pytest.MonkeyPatch]:
    monkeypatch.setenv("AWS_DEFAULT_REGION", "eu-north-1")
    for name in ("PUBLIC_BASE_URL", "PUBLIC_BASE_URL_PARAMETER"):
        monkeypatch.delenv(name, raising=False)

    def forget() -> None:
        config.settings.cache_clear()
        ticket_link._published_base_url.cache_clear()
        clients.reset("ssm")

    forget()
    yield monkeypatch
    forget()


def test_the_configured_address_wins(fresh: pytest.MonkeyPatch) -> None:
    fresh.setenv("PUBLIC_BASE_URL", "https://zapis.example.org/")
    fresh.setenv("PUBLIC_BASE_URL_PARAMETER", "/zapis/public-base-url")  # never read
    assert ticket_link.base_url() == "https://zapis.example.org"


def test_without_any_setting_the_local_address(fresh: pytest.MonkeyPatch) -> None:
    assert ticket_link.base_url() == config.DEV_BASE_URL


def test_deployed_without_an_address_the_parameter_is_read_once(fresh: pytest.MonkeyPatch) -> None:
    fresh.setenv("PUBLIC_BASE_URL", "")  # the template's default: PublicBaseUrl empty
    fresh.setenv("PUBLIC_BASE_URL_PARAMETER", "/zapis/public-base-url")
    with mock_aws():
        ssm = boto3.client("ssm", region_name="eu-north-1")
        ssm.put_parameter(Name="/zapis/public-base-url", Type="String", Value="https://d111.cloudfront.net/")
        assert ticket_link.base_url() == "https://d111.cloudfront.net"
        ssm.put_parameter(Name="/zapis/public-base-url", Type="String", Value="https://changed.example", Overwrite=True)
        assert ticket_link.base_url() == "https://d111.cloudfront.net"  # one read per instance

    assert ticket_link.ticket_url("abc").startswith("https://d111.cloudfront.net/#/ticket/abc?t=")
