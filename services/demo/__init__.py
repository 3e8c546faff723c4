"""Material for the demo data: Shandong's cities and districts, and seeded name generators."""
