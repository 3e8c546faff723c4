"""The annual cycle over HTTP: a city's cycle, applications, recommendations; the province's selection."""
