"""Customs risk channels: a versioned rules engine that sends each trip to green, yellow or red."""
