from tests.billing.fixtures import send

__all__ = ["send"]
