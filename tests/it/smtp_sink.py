"""A real SMTP server for the delivery tests: aiosmtpd (from PyPI) on loopback.

Usage: python smtp_sink.py OUT_DIR [plain | starttls | tls CERT KEY USER PASSWORD]
Prints `listening on 127.0.0.1:PORT` once it accepts connections, writes every mail it
receives as OUT_DIR/NNNN.eml (the bytes as received) with NNNN.json (envelope, whether
the session was encrypted and who logged in), and stops when its stdin closes.

`starttls`: the server offers STARTTLS and refuses MAIL before it (aiosmtpd's
`require_starttls`), and AUTH before TLS (`auth_require_tls`); `tls`: TLS from the
first byte (`ssl_context`). Both require AUTH with USER and PASSWORD, over TLS.
"""

import json
import os
import socket
import ssl
import sys

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult, LoginPassword


class Sink:
    def __init__(self, out):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.out, f"{self.count:04}")
        with open(base + ".json", "w") as f:
            json.dump(
                {
                    "mail_from": envelope.mail_from,
                    "rcpt_tos": envelope.rcpt_tos,
                    # `session.ssl` is set by STARTTLS only; implicit TLS shows on
                    # the transport.
                    "encrypted": session.ssl is not None
                    or server.transport.get_extra_info("sslcontext") is not None,
                    "login": session.auth_data.login.decode()
                    if isinstance(session.auth_data, LoginPassword)
                    else None,
                },
                f,
            )
        raw = envelope.original_content or envelope.content
        with open(base + ".eml.partial", "wb") as f:
            f.write(raw)
        os.rename(base + ".eml.partial", base + ".eml")
        return "250 Message accepted for delivery"


def authenticator(user, password):
    def check(server, session, envelope, mechanism, auth_data):
        ok = (
            isinstance(auth_data, LoginPassword)
            and auth_data.login == user.encode()
            and auth_data.password == password.encode()
        )
        return AuthResult(success=ok, handled=False, auth_data=auth_data)

    return check


def main():
    out = sys.argv[1]
    mode = sys.argv[2] if len(sys.argv) > 2 else "plain"
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    if mode == "plain":
        controller = Controller(Sink(out), hostname="127.0.0.1", port=port)
    else:
        cert, key, user, password = sys.argv[3:7]
        context = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        context.load_cert_chain(cert, key)
        secured = {"authenticator": authenticator(user, password), "auth_required": True}
        if mode == "starttls":
            secured.update(tls_context=context, require_starttls=True, auth_require_tls=True)
        else:
            # aiosmtpd's `auth_require_tls` looks for a STARTTLS upgrade only and would
            # hide AUTH on a connection that is TLS from the first byte.
            secured.update(ssl_context=context, auth_require_tls=False)
        controller = Controller(Sink(out), hostname="127.0.0.1", port=port, **secured)
    controller.start()
    print(f"listening on 127.0.0.1:{port}", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
