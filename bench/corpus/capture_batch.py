#!/usr/bin/env python3
"""Runs ../shared/tools/capture.py's capture() on many scripts in one process (saves a Python start per script).

capture.py is imported from where it lives (never copied): pass its folder with --tools.
stdin: one script path a line. stdout: one JSON line a script, {"file": PATH, "result": capture's JSON}.

usage: capture_batch.py --tools /work/shared/tools [--jobs 2] [--timeout 10] < paths
"""
import argparse, json, os, sys, threading
from concurrent.futures import ThreadPoolExecutor


def main():
    parser = argparse.ArgumentParser()
    parser.add_argument("--tools", required=True)
    parser.add_argument("--jobs", type=int, default=2)
    parser.add_argument("--timeout", type=int, default=10)
    args = parser.parse_args()
    os.chdir(args.tools)
    sys.path.insert(0, args.tools)
    import capture  # the shared tool, from its own folder

    lock = threading.Lock()

    def one(path):
        try:
            result = capture.capture(path, args.timeout)
        except Exception as error:  # a script the tool cannot run is a result, not a crash
            result = {"calls": [], "rc": -1, "stderr": f"capture failed: {error}", "failed": True}
        with lock:
            sys.stdout.write(json.dumps({"file": path, "result": result}) + "\n")
            sys.stdout.flush()

    paths = [line.rstrip("\n") for line in sys.stdin if line.strip()]
    with ThreadPoolExecutor(max_workers=max(1, args.jobs)) as pool:
        list(pool.map(one, paths))


if __name__ == "__main__":
    main()
