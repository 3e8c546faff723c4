"""The annual cycle (年度流程): pilot selection, each city's year, and the year-end re-evaluation."""
