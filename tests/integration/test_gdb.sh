#!/usr/bin/env bash
# docs/gdb.md, exercised (issue 5): gdb with tools/gdbinit on echo_server,
# a host client connecting, the stops at tcp_set_state arriving in RFC
# order, and every command of the walkthrough (tt-watch, run, continue,
# tt-tcb, tt-conns) run as the page shows it, in gdb's batch mode.
. "$(dirname "$0")/../lib.sh"
ns_enter "$@"

"$TOP/tools/up.sh" --no-app >"$T/up.log" 2>&1 || { not_ok "up.sh --no-app"; finish; }

# The host's client: the seed's, then it waits for the server's FIN before
# closing, so the server closes first (FIN-WAIT-1 ... TIME-WAIT).
cat >"$T/client.py" <<'PY'
import socket, sys, time
for _ in range(100):
    try:
        s = socket.create_connection(("10.0.0.2", 7788), timeout=20)
        break
    except OSError:
        time.sleep(0.2)
else:
    sys.exit("could not connect")
s.sendall(b"hello")
print(s.recv(1024).decode())
while s.recv(1024):
    pass
s.close()
PY
$PY "$T/client.py" >"$T/client.out" 2>&1 &
client=$!

TUNTCP_MSL=200 timeout 60 gdb -batch -x "$TOP/tools/gdbinit" \
	-ex 'tt-watch' -ex 'run' \
	-ex 'continue' -ex 'tt-tcb tcb' \
	-ex 'continue' -ex 'tt-conns' \
	-ex 'continue' -ex 'continue' -ex 'continue' -ex 'continue' \
	-ex 'kill' \
	--args "$BIN/echo_server" >"$T/gdb.out" 2>&1
status=$?
wait $client

check "gdb ran the walkthrough to the end (status $status)" test $status -eq 0
got=$(sed -n 's/^=== \([A-Z0-9-]*\) -> \([A-Z0-9-]*\) .*/\1 -> \2/p' "$T/gdb.out" | tr '\n' ',')
want="CLOSED -> LISTEN,LISTEN -> SYN-RECEIVED,SYN-RECEIVED -> ESTABLISHED,ESTABLISHED -> FIN-WAIT-1,FIN-WAIT-1 -> FIN-WAIT-2,FIN-WAIT-2 -> TIME-WAIT,TIME-WAIT -> CLOSED,"
if [ "$got" = "$want" ]; then
	ok "the stops at tcp_set_state arrive in RFC order: ${got//,/; }"
else
	not_ok "stops in the wrong order: got '$got'"
	sed 's/^/#   /' "$T/gdb.out" | tail -40
fi
check "each stop names its cause: the SYN, the ACK, close()" \
	bash -c "grep -q 'caused by  segment  SYN ' '$T/gdb.out' && grep -q 'caused by  segment  ACK ' '$T/gdb.out' && grep -q 'caused by  close()' '$T/gdb.out'"
check "tt-tcb prints the block with relative sequence numbers" \
	grep -Eq '^receive +irs=[0-9]+ +rcv.nxt=[0-9]+ \(rel 1\)' "$T/gdb.out"
check "tt-conns lists the connection and the listener" \
	bash -c "grep -q '^SYN-RECEIVED .*10.0.0.1' '$T/gdb.out' && grep -q '^LISTEN .*listening' '$T/gdb.out'"
check "the client got the seed's reply" grep -q 'thank you!' "$T/client.out"
finish
