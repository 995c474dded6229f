"""The audit trail: who changed which field of which object from what to what, and when."""
