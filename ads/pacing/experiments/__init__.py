"""Pacing experiments: A/B tests of pacing strategies over campaigns."""
