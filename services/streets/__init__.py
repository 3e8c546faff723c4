"""Streets (创业街区): operator, centre and staff, custom fields, and the lifecycle status."""
