#!/usr/bin/env bats
# The tunnel with ssh as its carrier: Debian's OpenSSH server, run by the
# test as root on 127.0.0.1 (a free port) with its own sshd_config, host
# key and a throwaway client key, all in a temp dir. One
# "ssh ... sockbridge tunnel TARGET" carries every connection; the same
# echo target is also reached with "ssh -L sock:sock", the mechanism lima
# uses, as the path to compare with (bench/tunnel times both).
#
# SB_TUNNEL_VIA=exec swaps the target for a per-connection
# "exec:ssh ... sockbridge relay - TARGET", to check the harness itself;
# the tunnel-only checks (one carrier) then fail.

load helpers

setup_file() {
	local port i
	export SSHD_DIR
	SSHD_DIR=$(mktemp -d "${TMPDIR:-/tmp}/sb-sshd.XXXXXX")
	chmod 700 "$SSHD_DIR"
	[ -x /usr/sbin/sshd ] || fail "/usr/sbin/sshd missing (openssh-server)"
	command -v ssh >/dev/null || fail "ssh missing (openssh-client)"
	ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/host_key"
	ssh-keygen -q -t ed25519 -N '' -f "$SSHD_DIR/client_key"
	cp "$SSHD_DIR/client_key.pub" "$SSHD_DIR/authorized_keys"
	port=$(free_port)
	cat >"$SSHD_DIR/sshd_config" <<-EOF
	ListenAddress 127.0.0.1:$port
	HostKey $SSHD_DIR/host_key
	PidFile $SSHD_DIR/sshd.pid
	AuthorizedKeysFile $SSHD_DIR/authorized_keys
	PermitRootLogin prohibit-password
	PubkeyAuthentication yes
	PasswordAuthentication no
	KbdInteractiveAuthentication no
	UsePAM no
	StrictModes no
	AllowStreamLocalForwarding yes
	StreamLocalBindUnlink yes
	MaxSessions 100
	MaxStartups 100:30:200
	LogLevel ERROR
	EOF
	# Debian's sshd wants its privilege separation directory (systemd
	# makes it at boot; a bare container has none).
	mkdir -p /run/sshd
	/usr/sbin/sshd -f "$SSHD_DIR/sshd_config" -E "$SSHD_DIR/sshd.log" 3>&-
	export SSH="ssh -F /dev/null -i $SSHD_DIR/client_key -o StrictHostKeyChecking=no -o UserKnownHostsFile=/dev/null -o LogLevel=ERROR -o BatchMode=yes -p $port root@127.0.0.1"
	for ((i = 0; i < 200; i++)); do
		$SSH true 2>/dev/null && break
		sleep 0.05
	done
	$SSH true || fail "sshd does not let us in:" "$(cat "$SSHD_DIR/sshd.log")"
	"${SB_BUILD:?}/sockbridge" echo "unix:$SSHD_DIR/echo.sock" \
	    >/dev/null 2>&1 3>&- &
	echo $! >"$SSHD_DIR/echo.pid"
	"${SB_BUILD:?}/sockbridge" relay "unix:$SSHD_DIR/sha.sock" \
	    exec:sha256sum >/dev/null 2>&1 3>&- &
	echo $! >"$SSHD_DIR/sha.pid"
	for ((i = 0; i < 200; i++)); do
		[ -S "$SSHD_DIR/echo.sock" ] && [ -S "$SSHD_DIR/sha.sock" ] && break
		sleep 0.05
	done
}

teardown_file() {
	local f
	for f in sshd echo sha; do
		[ -s "$SSHD_DIR/$f.pid" ] && kill "$(cat "$SSHD_DIR/$f.pid")"
	done
	rm -rf "$SSHD_DIR"
}

setup() {
	common_setup
}

teardown() {
	common_teardown
}

# relay LISTEN TARGET: the relay (-v) from LISTEN through one ssh to
# TARGET on the ssh server's side; $RELAY_PID, $RADDR.
relay() {
	if [ "${SB_TUNNEL_VIA:-tunnel}" = exec ]; then
		relay_v "$1" "exec:$SSH $SB relay - $2"
	else
		relay_v "$1" "tunnel:$SSH $SB tunnel $2"
	fi
}

# carriers: pids of the ssh processes under the relay.
carriers() {
	relay_children ssh
}

@test "tunnel ssh: 32 streams, 128 MiB each way in random write sizes, over one ssh" {
	relay "unix:$T/s" "unix:$SSHD_DIR/echo.sock"
	run timeout "$(t 120)" "$PEER" integrity -t "$(t 110)" -c 32 \
	    -b $((4 << 20)) -m 65536 -s "$RANDOM" "$RADDR"
	expect_status 0
	[[ "$output" == "ok conns=32 "* ]] || fail "peer: $output"
	[ "$(carriers | wc -l)" = 1 ] || fail "carriers: '$(carriers)'"
}

@test "tunnel ssh: half-close: the far side gets every byte and EOF, and its reply comes back" {
	relay "unix:$T/s" "unix:$SSHD_DIR/sha.sock"
	run timeout "$(t 60)" python3 "$TOOLS/halfclose-client.py" up "$RADDR" \
	    $((8 << 20)) "$(t 50)"
	expect_status 0
	[[ "$output" == "ok up 8388608 "* ]] || fail "$output"
}

@test "tunnel ssh: the ssh carrier is killed: the relay starts another, the socket file stays" {
	local ino c
	relay "unix:$T/s" "unix:$SSHD_DIR/echo.sock"
	ino=$(stat -c %i "$T/s")
	run "$PEER" ping -t "$(t 20)" "$RADDR" first
	expect_status 0
	c=$(carriers)
	[ -n "$c" ] || fail "no carrier"
	kill -9 $c
	wait_for 600 "$PEER" ping -t 5 "$RADDR" second ||
	    fail "no new connection after ssh died" "$(cat "$T/relay.err")"
	[ "$(stat -c %i "$T/s")" = "$ino" ]
	[ -n "$(carriers)" ] && [ "$(carriers)" != "$c" ]
}

@test "tunnel ssh: the comparison path, ssh -L sock:sock, carries the same echo" {
	bg fwd $SSH -N -o ExitOnForwardFailure=yes \
	    -L "$T/l.sock:$SSHD_DIR/echo.sock"
	wait_for 200 test -S "$T/l.sock" ||
	    fail "ssh -L did not bind:" "$(cat "$T/fwd.err")"
	run timeout "$(t 60)" "$PEER" integrity -t "$(t 50)" -c 8 \
	    -b $((4 << 20)) -m 65536 "unix:$T/l.sock"
	expect_status 0
}
