"""Campaigns, ad groups and ads: what advertisers buy and how its budget is set."""
