"""HTTP adapters: the Starlette app, GraphQL and the REST endpoints."""
