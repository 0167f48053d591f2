"""Renderers: turn a run's cost verdicts into text for terminals, pull requests and CI logs."""
