#!/usr/bin/env python3
"""Renders a delivered report mail as a PNG, as a mail reader shows it: the HTML part
with its inline images (cid:) in headless Chromium. For the README's picture.

Usage: docs/render-mail.py MAIL.eml OUT.png
(MAIL.eml: FEDIREACH_TEST_MAIL_OUT=MAIL.eml cargo test --test it deliver_now)
"""

import base64
import email
import email.policy
import subprocess
import sys
import tempfile
import os


def main():
    mail_path, out = sys.argv[1], sys.argv[2]
    with open(mail_path, "rb") as f:
        mail = email.message_from_binary_file(f, policy=email.policy.default)
    html = mail.get_body(preferencelist=("html",)).get_content()
    for part in mail.walk():
        cid = part.get("Content-ID")
        if cid:
            data = base64.b64encode(part.get_payload(decode=True)).decode()
            html = html.replace(
                "cid:" + cid.strip("<>"), f"data:{part.get_content_type()};base64,{data}"
            )
    header = "".join(
        f"<div><b>{name}:</b> {str(mail[name]).replace('<', '&lt;')}</div>"
        for name in ("From", "Reply-To", "To", "Subject")
    )
    attachments = ", ".join(
        p.get_filename() for p in mail.iter_attachments() if p.get_filename()
    )
    html = html.replace(
        "<body",
        '<body><div style="font-family: sans-serif; font-size: 13px; background: #f3f3f3; '
        f'padding: 8px 16px; border-bottom: 1px solid #ccc;">{header}'
        f"<div><b>Attached:</b> {attachments}</div></div><div",
        1,
    ).replace("</body>", "</div></body>", 1)
    with tempfile.TemporaryDirectory() as tmp:
        page = os.path.join(tmp, "mail.html")
        with open(page, "w") as f:
            f.write(html)
        subprocess.run(
            [
                "chromium", "--headless", "--no-sandbox", "--disable-gpu",
                "--hide-scrollbars", f"--screenshot={os.path.abspath(out)}",
                "--window-size=820,1340", "file://" + page,
            ],
            check=True,
        )


if __name__ == "__main__":
    main()
