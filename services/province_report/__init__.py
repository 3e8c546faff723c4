"""Province reporting (省级报表): figures across a province's cities, and their XLSX and CSV exports."""
