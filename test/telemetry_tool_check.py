#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
"""Drive usertools/dpx-telemetry against a live process (test_telemetry.c's
telemetry_tool case starts the EAL and runs this):

    telemetry_tool_check.py TOOL FILE_PREFIX PID

One-shot mode (replies, exit codes), the prompt fed from a pipe, the prompt
on a terminal (Tab completes a command, the history file is written), and
the completer against the commands the process lists. Exit 0 when all hold.
"""

import importlib.machinery
import importlib.util
import json
import os
import pty
import select
import subprocess
import sys
import tempfile

tool, prefix, pid = sys.argv[1], sys.argv[2], int(sys.argv[3])
failures = 0


def check(cond, what):
    global failures
    if not cond:
        failures += 1
        print(f"FAIL: {what}")


def run(*args, stdin=None, env=None):
    p = subprocess.run([sys.executable, tool, "-f", prefix, *args], input=stdin,
                       capture_output=True, text=True, timeout=30, env=env)
    return p.returncode, p.stdout, p.stderr


def documents(text):
    """Every JSON document in text, in order."""
    dec, docs, i = json.JSONDecoder(), [], 0
    while True:
        while i < len(text) and text[i].isspace():
            i += 1
        if i == len(text):
            return docs
        doc, i = dec.raw_decode(text, i)
        docs.append(doc)


# one-shot
rc, out, err = run("-c", "/info", "-c", "/ethdev/list", "--compact")
check(rc == 0, f"one-shot exit {rc}: {err}")
lines = out.splitlines()
check(len(lines) == 2, f"one line per reply: {out!r}")
check(json.loads(lines[0])["/info"]["pid"] == pid, "the reply is this process's")
check(json.loads(lines[1])["/ethdev/list"] == [0], f"one port: {lines[1]}")
rc, out, _ = run("-c", "/no/such")
check(rc == 1 and json.loads(out)["error"]["name"] == "ENOENT", f"an error reply: {rc} {out}")
rc, _, err = run("-f", "no-such-prefix-dpx", "-c", "/")
check(rc == 2 and "cannot reach" in err, f"no process: {rc} {err}")

# the prompt, from a pipe: replies in order, quit ends it
rc, out, err = run(stdin="/info\n/eal/params\nquit\n/ethdev/list\n")
docs = documents(out)
check(rc == 0, f"prompt exit {rc}: {err}")
check(len(docs) == 2 and docs[0]["/info"]["pid"] == pid and "/eal/params" in docs[1],
      f"prompt replies: {docs}")

# the completer, on the commands the process lists
spec = importlib.util.spec_from_loader("dpx_telemetry_tool",
                                       importlib.machinery.SourceFileLoader("dpx_telemetry_tool",
                                                                            tool))
mod = importlib.util.module_from_spec(spec)
spec.loader.exec_module(mod)
client = mod.Client(os.path.join(mod.runtime_dir(prefix), mod.SOCKET_NAME))
cmds = client.commands()
client.close()
check("/ethdev/stats" in cmds and "/vhost/info" in cmds and "/vfio/maps" in cmds,
      f"the process lists its commands: {cmds}")
complete = mod.completer(cmds)
ethdev = [complete("/ethdev/", i) for i in range(5)]
check(ethdev == ["/ethdev/info", "/ethdev/list", "/ethdev/stats", "/ethdev/xstats", None],
      f"completions of /ethdev/: {ethdev}")
check(complete("/zz", 0) is None, "nothing completes /zz")

# the prompt on a terminal: Tab completes "/in" to "/info", the history file keeps it
with tempfile.TemporaryDirectory() as home:
    env = dict(os.environ, HOME=home)
    child, fd = pty.fork()
    if child == 0:
        os.execve(sys.executable, [sys.executable, tool, "-f", prefix], env)
    seen = b""

    def read_until(token):
        global seen
        while token not in seen:
            r, _, _ = select.select([fd], [], [], 10)
            if not r:
                return False
            try:
                seen += os.read(fd, 4096)
            except OSError:
                return False
        return True

    check(read_until(b"--> "), f"a prompt on a terminal: {seen!r}")
    os.write(fd, b"/in\t\n")
    check(read_until(b'"max_output_len"'), f"Tab completed /in to /info: {seen!r}")
    os.write(fd, b"quit\n")
    _, status = os.waitpid(child, 0)
    check(os.WIFEXITED(status) and os.WEXITSTATUS(status) == 0, f"terminal exit {status}")
    hist = os.path.join(home, ".dpx_telemetry_history")
    check(os.path.exists(hist) and "/info" in open(hist).read(), "history written")

sys.exit(1 if failures else 0)
