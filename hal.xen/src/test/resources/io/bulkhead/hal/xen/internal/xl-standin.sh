#!/bin/bash
# Stand-in for Xen's `xl` in hal.xen's tests (machines without Xen). It hands its arguments to
# the test's XlStandIn server over loopback TCP and replays the answer: exit status, stdout,
# stderr. All checking and the simulated domains live in XlStandIn (see there).
exec 3<>/dev/tcp/127.0.0.1/@PORT@ || { echo "xl stand-in: test server not reachable" >&2; exit 125; }
printf '%d\0' "$#" >&3
if [ "$#" -gt 0 ]; then printf '%s\0' "$@" >&3; fi
read -r rc outlen errlen <&3 || { echo "xl stand-in: no answer from the test server" >&2; exit 125; }
if [ "$outlen" -gt 0 ]; then head -c "$outlen" <&3; fi
if [ "$errlen" -gt 0 ]; then head -c "$errlen" <&3 >&2; fi
exit "$rc"
