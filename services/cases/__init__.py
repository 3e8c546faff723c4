"""Typical cases (典型案例, work plan 二(五) and 三(二)): a street's replicable practice drafted, reviewed by the city,
published by the province and shown to the public."""
