#!/usr/bin/env python3
"""Minimal QMP client: qmp.py SOCKET COMMAND_JSON...

Connects to QEMU's QMP unix socket, negotiates capabilities, runs each command (a JSON object
such as '{"execute":"dump-guest-memory","arguments":{...}}') in turn and waits for its
reply. Prints each "return" as JSON on stdout; exits 1 on an error reply or a closed socket.
A "quit" command may see the socket close instead of a reply: that counts as success.
"""
import json
import socket
import sys
import time


def main():
    if len(sys.argv) < 2:
        sys.exit("usage: qmp.py SOCKET [COMMAND_JSON...]")
    path = sys.argv[1]
    deadline = time.monotonic() + 30
    while True:
        try:
            sock = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
            sock.connect(path)
            break
        except OSError:
            sock.close()
            if time.monotonic() > deadline:
                sys.exit(f"qmp.py: cannot connect to {path}")
            time.sleep(0.1)
    stream = sock.makefile("rwb", buffering=0)

    def read_reply():
        while True:
            line = stream.readline()
            if not line:
                return None
            msg = json.loads(line)
            if "event" in msg:
                continue
            return msg

    greeting = read_reply()
    if greeting is None or "QMP" not in greeting:
        sys.exit(f"qmp.py: bad greeting {greeting!r}")
    for text in ['{"execute":"qmp_capabilities"}'] + sys.argv[2:]:
        cmd = json.loads(text)
        stream.write((json.dumps(cmd) + "\n").encode())
        reply = read_reply()
        if reply is None:
            if cmd.get("execute") == "quit":
                return
            sys.exit(f"qmp.py: socket closed while waiting for {text}")
        if "error" in reply:
            sys.exit(f"qmp.py: {text} failed: {json.dumps(reply['error'])}")
        if cmd.get("execute") != "qmp_capabilities":
            print(json.dumps(reply.get("return")), flush=True)


if __name__ == "__main__":
    main()
