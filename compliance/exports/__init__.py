"""Exports of what a person can see: streamed CSV (pages and API) and their columns."""

from .csv import Column, csv_response, neutralise, time_column

__all__ = ["Column", "csv_response", "neutralise", "time_column"]
