"""Oversight metrics: figures from aggregate queries, drawn as SVG on the server."""
