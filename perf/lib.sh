# Helpers shared by the perf/ scripts; source it after defining die(). Loopback only.

# True when nothing accepts connections on 127.0.0.1:$1.
port_free() { ! (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }

# The first port p from $1 on with p and p+1 free, so a run never collides with a server already there.
free_port() {
    local p=$1
    while ! port_free "$p" || ! port_free $((p + 1)); do p=$((p + 2)); done
    echo "$p"
}

# Waits up to 10 s for something to listen on port $1.
wait_port() {
    local i
    for i in $(seq 1 100); do
        port_free "$1" || return 0
        sleep 0.1
    done
    die "nothing listens on port $1 after 10 s"
}
