"""The simulated marketplace: scenario, campaigns, traffic, auctions and the market loop."""
