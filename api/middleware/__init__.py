"""What runs around every request: size limits, and the canned-answer cache."""
