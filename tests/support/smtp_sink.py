#!/usr/bin/env python3
"""A tiny SMTP server on 127.0.0.1 for the mail tests (Debian's python3-aiosmtpd): every message
it accepts is written to DIR as NNNN.eml (the bytes received) with NNNN.json beside it (envelope
sender and recipients, whether the session used TLS and who authenticated). Runs until SIGTERM.

usage: smtp_sink.py DIR [--port N] [--port-file FILE] [--tls CERT KEY] [--auth USER:PASSWORD]
                        [--reject CODE]
  --port       the port to listen on (default: a free one), e.g. the same one after a restart
  --port-file  where to write the port once the server listens
  --tls        offer STARTTLS with this certificate and key, and require it
  --auth       offer AUTH PLAIN/LOGIN and require this user and password (after STARTTLS)
  --reject     answer every RCPT with this code (e.g. 550 or 451) instead of accepting
"""
import argparse
import asyncio
import json
import os
import signal
import socket
import ssl
import sys
import threading

from aiosmtpd.controller import Controller
from aiosmtpd.smtp import AuthResult


class Sink:
    def __init__(self, directory, reject):
        self.dir = directory
        self.reject = reject
        self.count = len([f for f in os.listdir(directory) if f.endswith('.eml')])
        self.lock = threading.Lock()

    async def handle_RCPT(self, server, session, envelope, address, rcpt_options):
        if self.reject:
            return f'{self.reject} {"mailbox unavailable" if self.reject >= 500 else "try later"}'
        envelope.rcpt_tos.append(address)
        return '250 OK'

    async def handle_DATA(self, server, session, envelope):
        with self.lock:
            self.count += 1
            n = self.count
        base = os.path.join(self.dir, f'{n:04d}')
        auth = getattr(session, 'auth_data', None)
        login = auth.login.decode() if auth is not None and hasattr(auth, 'login') else None
        meta = {
            'mail_from': envelope.mail_from,
            'rcpt_tos': envelope.rcpt_tos,
            'tls': session.ssl is not None,
            'login': login,
        }
        with open(base + '.tmp', 'wb') as f:
            f.write(envelope.original_content)
        with open(base + '.json', 'w') as f:
            json.dump(meta, f)
        os.rename(base + '.tmp', base + '.eml')
        return '250 Message accepted for delivery'


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument('dir')
    ap.add_argument('--port', type=int, default=0)
    ap.add_argument('--port-file')
    ap.add_argument('--tls', nargs=2, metavar=('CERT', 'KEY'))
    ap.add_argument('--auth')
    ap.add_argument('--reject', type=int, default=0)
    a = ap.parse_args()
    os.makedirs(a.dir, exist_ok=True)
    port = a.port
    if not port:
        s = socket.socket()
        s.bind(('127.0.0.1', 0))
        port = s.getsockname()[1]
        s.close()
    kwargs = {}
    if a.tls:
        ctx = ssl.create_default_context(ssl.Purpose.CLIENT_AUTH)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        kwargs.update(tls_context=ctx, require_starttls=True)
    if a.auth:
        user, password = a.auth.split(':', 1)

        def authenticator(server, session, envelope, mechanism, auth_data):
            ok = auth_data.login.decode() == user and auth_data.password.decode() == password
            return AuthResult(success=ok, auth_data=auth_data)

        kwargs.update(authenticator=authenticator, auth_required=True,
                      auth_require_tls=bool(a.tls))
    controller = Controller(Sink(a.dir, a.reject), hostname='127.0.0.1', port=port,
                            server_hostname='sink.test', ready_timeout=10, **kwargs)
    controller.start()
    if a.port_file:
        with open(a.port_file + '.tmp', 'w') as f:
            f.write(str(port))
        os.rename(a.port_file + '.tmp', a.port_file)
    stop = threading.Event()
    signal.signal(signal.SIGTERM, lambda *_: stop.set())
    signal.signal(signal.SIGINT, lambda *_: stop.set())
    while not stop.wait(0.2):
        pass
    controller.stop()
    return 0


if __name__ == '__main__':
    sys.exit(main())
