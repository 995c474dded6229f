"""Resolvers, one module of Ariadne bindables per area of the schema."""
