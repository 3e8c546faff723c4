"""A city's custom data fields for its streets (自定义字段)."""
