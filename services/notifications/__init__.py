"""Notifications (通知) to users, in the app and through an optional per-tenant WeCom webhook."""
