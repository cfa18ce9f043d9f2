"""Jobs for the executor that the service never runs: they go around its checks on purpose, to show
what stands behind them (tests/unit/test_hardening_network.py runs them in real query workers)."""

from __future__ import annotations


def raw_query(ctx, text: str) -> list[str]:
    """Evaluate `text` on the worker's store as it is: no parse check, no caps."""
    return [str(row) for row in ctx.store.query(text)]


def open_socket(ctx, host: str, port: int) -> str:
    """Connect to host:port from inside the worker; what happened."""
    import socket

    try:
        with socket.create_connection((host, port), timeout=2):
            return "connected"
    except OSError as e:
        return f"refused: {e}"
