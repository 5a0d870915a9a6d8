"""Who the client is, when proxies stand in front of the site.

One rule for everything that counts clients (the API's rate limit, the sign-in lockout):
with DJANGO_NUM_PROXIES=N (N > 0), the client is the N-th address from the right of
X-Forwarded-For, the one the outermost of our own proxies saw; addresses further left
were written by the client and prove nothing. With 0, the header is ignored and the
client is REMOTE_ADDR.

The rule holds only while nobody reaches gunicorn except through the proxies: a client
that connects directly writes X-Forwarded-For itself (kb.checks warns about a public bind).
"""

import ipaddress

from django.conf import settings
from django.http import HttpRequest


def client_address(request: HttpRequest) -> str | None:
    """The client's IP address by the rule above; None when there is none to be had."""
    remote = request.META.get("REMOTE_ADDR") or None
    proxies = settings.NINJA_NUM_PROXIES
    forwarded = request.META.get("HTTP_X_FORWARDED_FOR", "")
    if proxies <= 0 or not forwarded.strip():
        return remote
    addresses = [part.strip() for part in forwarded.split(",")]
    # Fewer addresses than proxies: the client reached an inner proxy directly, and the
    # leftmost address is the one that proxy saw.
    claimed = addresses[-min(proxies, len(addresses))]
    try:
        return str(ipaddress.ip_address(claimed))
    except ValueError:
        # Not an address our proxy would write (the lockout stores it in an address
        # column): count the client as the proxy that passed it on.
        return remote


def exposed_binds(binds: list[str]) -> list[str]:
    """Those of gunicorn's `bind` addresses anyone may reach directly: every interface or
    a public address. A host name is not looked up, so it is never reported."""
    exposed = []
    for bind in binds:
        if bind.startswith(("unix:", "fd://")):
            continue
        host = bind.rpartition(":")[0] if ":" in bind else bind
        host = host.strip("[]")
        if host in ("", "*"):
            exposed.append(bind)
            continue
        try:
            address = ipaddress.ip_address(host)
        except ValueError:
            continue
        if address.is_unspecified or address.is_global:
            exposed.append(bind)
    return exposed


def exposed_warning(proxies: int, binds: list[str]) -> str:
    """What to tell the operator when clients can go around the proxies; "" when they can't."""
    exposed = exposed_binds(binds)
    if proxies <= 0 or not exposed:
        return ""
    return (
        f"DJANGO_NUM_PROXIES is {proxies} but gunicorn listens on {', '.join(exposed)}: a "
        "client that connects directly writes its own X-Forwarded-For and escapes the API "
        "rate limit and the sign-in lockout. Bind gunicorn (GUNICORN_BIND) to 127.0.0.1 or "
        "a private address only the proxy reaches."
    )
