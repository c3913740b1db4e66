"""Generators of the recorded fixtures and the offline bundle (run by hand, never by the suite)."""
