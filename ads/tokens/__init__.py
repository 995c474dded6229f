"""API tokens: bearer secrets, their stored hashes and the advertisers they may act for."""
