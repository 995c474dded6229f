"""The executable schema: the SDL in graphql/ bound to the resolvers in ads/api/resolvers/."""

from __future__ import annotations

from functools import cache
from importlib.resources import files
from pathlib import Path

from ariadne import load_schema_from_path, make_executable_schema
from graphql import GraphQLSchema

from ads.api.resolvers import (
    advertisers,
    audit,
    billing,
    campaigns,
    connection_types,
    experiments,
    exports,
    node,
    pacing,
    pacing_curve,
    scalars,
)

#: The SDL, found as package data: `ads/sdl` is a symlink to the top-level graphql/ in the
#: checkout (and so in an editable install) and a folder of real files in the wheel. The
#: top-level folder cannot be looked up beside the package: installed, `graphql` there is
#: graphql-core.
SCHEMA_DIR = Path(str(files("ads") / "sdl"))


@cache
def build_schema() -> GraphQLSchema:
    """Built once per process on first use (never at import): it is immutable.

    `convert_names_case` maps camelCase fields, arguments and input fields to the
    snake_case attributes and keyword arguments of the models and services.
    """
    type_defs = load_schema_from_path(SCHEMA_DIR)
    return make_executable_schema(
        type_defs,
        *scalars.bindables,
        *node.bindables,
        *connection_types.bindables,
        *advertisers.bindables,
        *campaigns.bindables,
        *audit.bindables,
        *billing.bindables,
        *exports.bindables,
        *experiments.bindables,
        *pacing.bindables,
        *pacing_curve.bindables,
        convert_names_case=True,
    )
