"""The one authorization policy, and who is calling (principal, role)."""
