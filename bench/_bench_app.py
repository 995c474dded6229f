"""The app for `uvicorn --factory bench._bench_app:app` (settings from ADS_* variables)."""

from starlette.applications import Starlette

from ads.api.app import create_app
from ads.config import Settings


def app() -> Starlette:
    return create_app(Settings.from_env())
