"""Assessments (评估): a street judged for a year, stored with what it saw so the verdict can be reproduced."""
