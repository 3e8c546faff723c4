"""Entrepreneurial entities (创业实体) registered in a street: one by one or imported from a file."""
