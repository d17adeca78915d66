#!/usr/bin/env bash
# bench/create.sh: link creations per second through POST /api/url/add.
#
# Builds the server, starts it on a fresh SQLite file (127.0.0.1:0, no rate
# limit), creates a user, then runs wrk (Debian package "wrk") with 16
# connections RUNS times for DURATION each and prints every run and the
# median creations/s, p99 and the server's CPU time per creation (less
# sensitive than the rate to other load on the machine). Any non-2xx answer
# fails the run; at the end the links in the database must match the 200s
# wrk counted. PPROF=127.0.0.1:6060 starts the server with --pprof.
#
#   bench/create.sh                     # 3 runs of 10 s, 16 connections
#   RUNS=5 DURATION=5s CONNS=32 bench/create.sh
#   DB=postgres://... bench/create.sh   # another database (it must be empty)
set -euo pipefail

RUNS=${RUNS:-3}
DURATION=${DURATION:-10s}
CONNS=${CONNS:-16}
THREADS=${THREADS:-2}

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
server_pid=
cleanup() {
	if [[ -n $server_pid ]]; then kill "$server_pid" 2>/dev/null || true; wait "$server_pid" 2>/dev/null || true; fi
	rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk is missing: apt-get install wrk" >&2; exit 1; }
(cd "$root" && go build -tags "${TAGS:-}" -o "$work/shortener" .)
db=${DB:-sqlite://$work/bench.db}

key=$("$work/shortener" user create --db "$db" --email bench@example.com --username bench --password benchpass123 |
	sed -n 's/.*"apiKey":"\([^"]*\)".*/\1/p')
[[ -n $key ]] || { echo "user create gave no API key" >&2; exit 1; }

"$work/shortener" serve --addr 127.0.0.1:0 --db "$db" --rate-limit 0 ${PPROF:+--pprof "$PPROF"} 2>"$work/server.log" &
server_pid=$!
addr=
for _ in $(seq 100); do
	addr=$(sed -n 's/.*msg=serving addr=\([^ ]*\).*/\1/p' "$work/server.log")
	[[ -n $addr ]] && break
	kill -0 "$server_pid" 2>/dev/null || { cat "$work/server.log" >&2; exit 1; }
	sleep 0.1
done
[[ -n $addr ]] || { echo "server did not start" >&2; cat "$work/server.log" >&2; exit 1; }

cat >"$work/create.lua" <<LUA
wrk.method = "POST"
wrk.body = '{"url":"https://example.com/some/long/path?x=1"}'
wrk.headers["Content-Type"] = "application/json"
wrk.headers["Authorization"] = "Bearer $key"
LUA

echo "# POST /api/url/add, $CONNS connections, $THREADS wrk threads, $RUNS x $DURATION, $(nproc) CPUs, load: $(cut -d' ' -f1-3 /proc/loadavg)"
# cpu_ticks: the server's user+system CPU so far, in clock ticks.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$server_pid/stat"; }
hz=$(getconf CLK_TCK)
rates=() p99s=() cpus=() total=0
for i in $(seq "$RUNS"); do
	t0=$(cpu_ticks)
	out=$(wrk -t"$THREADS" -c"$CONNS" -d"$DURATION" --latency -s "$work/create.lua" "http://$addr/api/url/add")
	if grep -q "Non-2xx" <<<"$out" || grep -q "Socket errors" <<<"$out"; then
		echo "$out" >&2
		echo "run $i: errors (above)" >&2
		exit 1
	fi
	rate=$(awk '/^Requests\/sec:/ {print $2}' <<<"$out")
	p99=$(awk '$1 == "99%" {print $2}' <<<"$out")
	n=$(awk '/requests in/ {print $1}' <<<"$out")
	cpu=$(awk -v d=$(($(cpu_ticks) - t0)) -v hz="$hz" -v n="$n" 'BEGIN {printf "%.0f", d / hz * 1e6 / n}')
	total=$((total + n))
	rates+=("$rate") p99s+=("$p99") cpus+=("$cpu")
	printf 'run %d: %8.0f creations/s  p99 %-9s server CPU %s us/creation  (%s requests)\n' "$i" "$rate" "$p99" "$cpu" "$n"
done

# Every answered create must be a stored link (wrk stops without waiting for
# requests in flight, so the database may hold up to CONNS more).
if [[ $db == sqlite://* ]]; then
	stored=$(sqlite3 "${db#sqlite://}" 'SELECT count(*) FROM links')
	if ((stored < total || stored > total + CONNS * RUNS)); then
		echo "stored links $stored, answered creates $total" >&2
		exit 1
	fi
	echo "stored links: $stored (answered: $total)"
fi

median() { printf '%s\n' "$@" | sort -g | awk '{a[NR]=$1} END {print a[int((NR+1)/2)]}'; }
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us$/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms$/,"",v)} else if (v ~ /s$/) {sub(/s$/,"",v); v*=1000}; printf "%.2f", v}'; }
ms=()
for p in "${p99s[@]}"; do ms+=("$(to_ms <<<"$p")"); done
printf 'median: %.0f creations/s, p99 %s ms, server CPU %s us/creation\n' "$(median "${rates[@]}")" "$(median "${ms[@]}")" "$(median "${cpus[@]}")"
