"""The reference advertiser dashboard at /dashboard, a client of the public GraphQL API."""
