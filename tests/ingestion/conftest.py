from tests.ingestion.fixtures import service_token, tree

__all__ = ["service_token", "tree"]
