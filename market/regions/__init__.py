"""Counties, districts and villages of the city: reference data loaded from a file, not code."""
