#!/usr/bin/env bash
# xvfb-run for the visualiser's tests: the same default screen, but -noreset. An X server resets
# when its last client disconnects, and a client connecting during the reset fails ("Failed to
# open X11 display"); SFML closes its display connection whenever its last window or context goes
# and opens a new one later, so on a loaded machine a test failed that way about one run in five.
# Usage: xvfb_run.sh [xvfb-run options] COMMAND [ARG...]
exec xvfb-run -s "-screen 0 1280x1024x24 -noreset" "$@"
