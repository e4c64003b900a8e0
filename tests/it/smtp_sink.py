"""A real SMTP server for the delivery tests: aiosmtpd (from PyPI) on loopback.

Usage: python smtp_sink.py OUT_DIR
Prints `listening on 127.0.0.1:PORT` once it accepts connections, writes every mail it
receives as OUT_DIR/NNNN.eml (the bytes as received) with NNNN.json (envelope), and
stops when its stdin closes.
"""

import json
import os
import socket
import sys

from aiosmtpd.controller import Controller


class Sink:
    def __init__(self, out):
        self.out = out
        self.count = 0

    async def handle_DATA(self, server, session, envelope):
        self.count += 1
        base = os.path.join(self.out, f"{self.count:04}")
        with open(base + ".json", "w") as f:
            json.dump({"mail_from": envelope.mail_from, "rcpt_tos": envelope.rcpt_tos}, f)
        raw = envelope.original_content or envelope.content
        with open(base + ".eml.partial", "wb") as f:
            f.write(raw)
        os.rename(base + ".eml.partial", base + ".eml")
        return "250 Message accepted for delivery"


def main():
    out = sys.argv[1]
    probe = socket.socket()
    probe.bind(("127.0.0.1", 0))
    port = probe.getsockname()[1]
    probe.close()
    controller = Controller(Sink(out), hostname="127.0.0.1", port=port)
    controller.start()
    print(f"listening on 127.0.0.1:{port}", flush=True)
    sys.stdin.read()
    controller.stop()


if __name__ == "__main__":
    main()
