"""Renderers: plain functions from run data to text (terminal, markdown, GitHub)."""
