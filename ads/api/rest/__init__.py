"""REST endpoints: health, and the ad server's and finance's endpoints."""
