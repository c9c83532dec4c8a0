"""The PDF case file: everything on a case the reader may see, for counsel or an auditor."""
