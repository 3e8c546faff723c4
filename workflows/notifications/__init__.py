"""Notification activities shared by every process: writing messages once, delivering the webhook."""
