"""No network for a query worker, whatever the engine tries: the first thing a worker does, before
any thread exists, is to cut itself off (issue 15: pyoxigraph's built-in HTTP client would otherwise
POST a `SERVICE` query to any address).

Two kernel mechanisms, the first that works:

- `namespace`: unshare(CLONE_NEWUSER | CLONE_NEWNET), no privilege needed. The worker then lives in
  a network namespace of its own whose only interface (`lo`) is down: no address, loopback
  included, is reachable, over any protocol, and abstract Unix sockets are out of reach too. The
  store stays readable (the new user namespace maps our own uid and gid).
- `seccomp`: where unprivileged user namespaces are disabled, a seccomp filter (libseccomp, through
  ctypes) makes socket(AF_INET / AF_INET6 / AF_PACKET / AF_NETLINK) and io_uring fail with EPERM, for
  every thread, for good (no_new_privs is set; a filter cannot be lifted).

Neither available: the worker does not start (the server says why), it does not run unprotected.
The pipe to the server is inherited, so the worker never needs to open a socket. A remote store is
not queried through workers: the server's own httpx client reaches it (kg/storage/remote.py)."""

from __future__ import annotations

import ctypes
import ctypes.util
import errno
import os
import socket
import threading

CLONE_NEWUSER = 0x10000000
CLONE_NEWNET = 0x40000000
MECHANISMS = ("namespace", "seccomp")


def no_network(mechanisms: tuple[str, ...] = MECHANISMS) -> str:
    """Cut this process off the network; the mechanism that did it. OSError if none could."""
    if threading.active_count() > 1:
        raise OSError("the network sandbox must be set before any thread starts")
    reasons = []
    for name in mechanisms:
        try:
            {"namespace": _namespace, "seccomp": _seccomp}[name]()
            return name
        except OSError as e:
            reasons.append(f"{name}: {e}")
    raise OSError("cannot cut the query worker off the network (" + "; ".join(reasons) + ")")


def _namespace() -> None:
    uid, gid = os.getuid(), os.getgid()
    libc = ctypes.CDLL(None, use_errno=True)
    if libc.unshare(CLONE_NEWUSER | CLONE_NEWNET) != 0:
        e = ctypes.get_errno()
        raise OSError(e, f"unshare: {os.strerror(e)}")
    for path, text in (("/proc/self/setgroups", "deny"), ("/proc/self/uid_map", f"{uid} {uid} 1"),
                       ("/proc/self/gid_map", f"{gid} {gid} 1")):
        try:
            with open(path, "w") as f:
                f.write(text)
        except FileNotFoundError:  # old kernels have no setgroups file; the maps still work
            continue


_SCMP_ACT_ALLOW = 0x7FFF0000
_SCMP_CMP_EQ = 4


class _ArgCmp(ctypes.Structure):
    _fields_ = [("arg", ctypes.c_uint), ("op", ctypes.c_int), ("datum_a", ctypes.c_uint64),
                ("datum_b", ctypes.c_uint64)]


def _seccomp() -> None:
    name = ctypes.util.find_library("seccomp") or "libseccomp.so.2"
    try:
        lib = ctypes.CDLL(name)
    except OSError as e:
        raise OSError(f"libseccomp not found ({e})") from None
    lib.seccomp_init.restype = ctypes.c_void_p
    lib.seccomp_init.argtypes = [ctypes.c_uint32]
    lib.seccomp_rule_add_array.argtypes = [ctypes.c_void_p, ctypes.c_uint32, ctypes.c_int, ctypes.c_uint,
                                           ctypes.POINTER(_ArgCmp)]
    lib.seccomp_syscall_resolve_name.argtypes = [ctypes.c_char_p]
    lib.seccomp_load.argtypes = [ctypes.c_void_p]
    lib.seccomp_release.argtypes = [ctypes.c_void_p]
    deny = 0x00050000 | errno.EPERM  # SCMP_ACT_ERRNO(EPERM)
    ctx = lib.seccomp_init(_SCMP_ACT_ALLOW)
    if not ctx:
        raise OSError("seccomp_init failed")
    try:
        rules = [("socket", family) for family in (socket.AF_INET, socket.AF_INET6, socket.AF_PACKET,
                                                   socket.AF_NETLINK)]
        rules += [(call, None) for call in ("io_uring_setup",)]
        for call, family in rules:
            nr = lib.seccomp_syscall_resolve_name(call.encode())
            if nr < 0:
                continue
            cmp = _ArgCmp(0, _SCMP_CMP_EQ, family, 0) if family is not None else None
            rc = lib.seccomp_rule_add_array(ctx, deny, nr, 1 if cmp else 0,
                                            ctypes.byref(cmp) if cmp else None)
            if rc < 0:
                raise OSError(-rc, f"seccomp_rule_add({call}): {os.strerror(-rc)}")
        rc = lib.seccomp_load(ctx)
        if rc < 0:
            raise OSError(-rc, f"seccomp_load: {os.strerror(-rc)}")
    finally:
        lib.seccomp_release(ctx)
