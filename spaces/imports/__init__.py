"""Listing places by spreadsheet: read a CSV or XLSX file, preview every row, import them all."""
