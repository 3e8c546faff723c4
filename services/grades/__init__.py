"""Yearly grades (年度等级): grading schemes and street grade histories."""
