"""Tracking (跟踪): each tracked street's monthly reports for a year, with reminders and escalations."""
