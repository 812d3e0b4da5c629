"""Checks that keep a compiled project meaning what it means under Dagster (issue 14): each Dagster feature is
mapped faithfully, mapped with a documented approximation and a warning, or refused by name."""
