import pytest

from ads.config import Environment, Settings, SettingsError, TrafficRegion


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
        ({"ADS_TRAFFIC_REGIONS": "us"}, "'us': expected name=Area/City:share"),
        ({"ADS_TRAFFIC_REGIONS": "us=Mars/Base:1"}, "unknown timezone 'Mars/Base'"),
        ({"ADS_TRAFFIC_REGIONS": "us=America/New_York:-1"}, "must be a positive number"),
        ({"ADS_TRAFFIC_REGIONS": "us=America/New_York:lots"}, "'lots' is not a number"),
        (
            {"ADS_TRAFFIC_REGIONS": "us=America/New_York:1,us=America/Chicago:1"},
            "region 'us' is named twice",
        ),
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


def test_only_the_given_mapping_is_read(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("ADS_PACING_SHARDS", "3")
    assert Settings.from_env({}).pacing_shards == 8
    assert Settings.from_env().pacing_shards == 3
    assert Settings().pacing_shards == 8  # built in code: no environment at all
    monkeypatch.setenv("ads_pacing_shards", "5")  # variable names are exact
    assert Settings.from_env().pacing_shards == 3


@pytest.mark.parametrize(
    ("env", "message"),
    [
        ({"ADS_PACING_SHARDS": "soon"}, "ADS_PACING_SHARDS must be an integer, got 'soon'"),
        ({"ADS_MAX_BODY_BYTES": "100"}, "ADS_MAX_BODY_BYTES must be at least 1024, got 100"),
        ({"ADS_GRAPHQL_INTROSPECTION": "maybe"}, "ADS_GRAPHQL_INTROSPECTION must be true or false"),
        ({"ADS_LOG_LEVEL": "loud"}, "ADS_LOG_LEVEL must be one of DEBUG | INFO | WARNING | ERROR"),
        ({"ADS_ENV": "Staging"}, "ADS_ENV must be one of development | production, got 'Staging'"),
    ],
)
def test_bad_values_name_the_variable_and_quote_the_value(
    env: dict[str, str], message: str
) -> None:
    with pytest.raises(SettingsError, match="^" + message.replace("|", r"\|")):
        Settings.from_env(env)


def test_values_are_read_as_before() -> None:
    settings = Settings.from_env(
        {
            "ADS_ENV": "PRODUCTION",
            "ADS_LOG_LEVEL": "debug",
            "ADS_GRAPHQL_INTROSPECTION": "on",
            "ADS_BROKER_URL": "redis://localhost:6379/0",
            "ADS_EVENT_DELAY_SECONDS": "30",
            "ADS_EXPORT_DIR": "/srv/exports",
        }
    )
    assert settings.is_production
    assert settings.log_level == "DEBUG"
    assert settings.introspection
    assert not settings.embedded_broker
    assert settings.refresh_horizon_seconds == 30 + 60
    assert settings.export_dir == "/srv/exports"


def test_settings_are_frozen() -> None:
    settings = Settings.from_env({})
    with pytest.raises(ValueError, match="frozen"):
        settings.pacing_shards = 2  # type: ignore[misc]


def test_traffic_regions_are_read_with_their_clocks_and_shares() -> None:
    settings = Settings.from_env(
        {"ADS_TRAFFIC_REGIONS": "us=America/New_York:0.5, eu=Europe/Berlin:0.3,"}
    )
    assert settings.regions == (
        TrafficRegion("us", "America/New_York", 0.5),
        TrafficRegion("eu", "Europe/Berlin", 0.3),
    )
    assert Settings.from_env({}).regions == ()
