#!/usr/bin/env bash
# The socket API's errors and readiness, as the kernel reports them
# (issue 3): tests/api/sockapi.c against the kernel of a fresh namespace.
. "$(dirname "$0")/../lib.sh"
ns_enter "$@"
"$TOP/tools/up.sh" --no-app >"$T/up.log" 2>&1 || { not_ok "up.sh --no-app"; finish; }
timeout 60 "$BIN/tests/sockapi" 2>"$T/err.log"
status=$?
check "sockapi ran to the end (status $status)" test $status -eq 0
check "no sanitizer report" fails grep -q 'ERROR: AddressSanitizer\|runtime error' "$T/err.log"
finish
