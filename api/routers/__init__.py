"""One router per part of the service."""
