import pytest

from ads.config import Environment, Settings, SettingsError


def test_defaults_are_the_embedded_mode() -> None:
    settings = Settings.from_env({})
    assert settings.database_url == "sqlite:///var/ads.db"
    assert settings.embedded_broker
    assert settings.env is Environment.DEVELOPMENT
    assert settings.introspection


def test_production_turns_introspection_off_unless_asked() -> None:
    assert not Settings.from_env({"ADS_ENV": "production"}).introspection
    assert Settings.from_env(
        {"ADS_ENV": "production", "ADS_GRAPHQL_INTROSPECTION": "true"}
    ).introspection


@pytest.mark.parametrize(
    ("env", "fragment"),
    [
        ({"ADS_ENV": "staging"}, "ADS_ENV must be one of development | production"),
        ({"ADS_DATABASE_URL": "mysql://x/y"}, "ADS_DATABASE_URL must be a sqlite"),
        ({"ADS_DATABASE_URL": "not a url"}, "ADS_DATABASE_URL is not a database URL"),
        ({"ADS_BROKER_URL": "kafka://x"}, "ADS_BROKER_URL must be"),
        ({"ADS_PACING_TICK_SECONDS": "soon"}, "must be an integer"),
        ({"ADS_PACING_TICK_SECONDS": "0"}, "must be at least 1"),
        ({"ADS_LOG_LEVEL": "loud"}, "ADS_LOG_LEVEL"),
        ({"ADS_METRICS_TOKEN": "short"}, "ADS_METRICS_TOKEN must be at least 16"),
        ({"ADS_METRICS_TOKEN": " 0123456789abcdef"}, "without surrounding spaces"),
    ],
)
def test_bad_settings_fail_with_one_clear_line(env: dict[str, str], fragment: str) -> None:
    with pytest.raises(SettingsError) as error:
        Settings.from_env(env)
    assert fragment in str(error.value)
    assert "\n" not in str(error.value)


def test_database_urls_pick_the_drivers() -> None:
    pg = Settings.from_env({"ADS_DATABASE_URL": "postgresql://u:p@db:5432/ads"})
    assert pg.sync_database_url() == "postgresql+psycopg://u:p@db:5432/ads"
    assert pg.async_database_url() == "postgresql+psycopg://u:p@db:5432/ads"
    lite = Settings.from_env({})
    assert lite.async_database_url() == "sqlite+aiosqlite:///var/ads.db"


def test_metrics_token_is_optional() -> None:
    assert Settings.from_env({}).metrics_token is None
    assert Settings.from_env({"ADS_METRICS_TOKEN": ""}).metrics_token is None
    token = "0123456789abcdef-scrape"
    assert Settings.from_env({"ADS_METRICS_TOKEN": token}).metrics_token == token
