#!/usr/bin/env bash
# bench/run.sh: redirect throughput and latency of this server (SQLite,
# click recording on) against a bare net/http server that answers 302 from
# a map, alternating the two on this machine, and a check that every
# redirect was counted.
#
#   bash bench/run.sh                   # defaults below
#   LINKS=100000 PAIRS=3 DURATION=10s CONNS=64 THREADS=1 bash bench/run.sh
#   DB=postgres://... bash bench/run.sh   # another database (it must be empty)
#   TAGS=sqlite_fts5 bash bench/run.sh    # build with the FTS5 search index
#
# Then, unless CREATE=0, it runs bench/create.sh (link creations per second
# through POST /api/url/add) on a fresh SQLite file, or on CREATE_DB (which
# must be empty too), so one command prints both tables.
#
# Needs wrk (Debian: apt-get install -y wrk) and Go. Listens only on
# 127.0.0.1 with ports the kernel picks.
set -euo pipefail

LINKS=${LINKS:-100000}
PAIRS=${PAIRS:-3}
DURATION=${DURATION:-10s}
WARMUP=${WARMUP:-5s}
CONNS=${CONNS:-64}
THREADS=${THREADS:-1}
export LINKS

root=$(cd "$(dirname "$0")/.." && pwd)
work=$(mktemp -d)
spid="" bpid=""
cleanup() {
	[ -n "$spid" ] && kill "$spid" 2>/dev/null || true
	[ -n "$bpid" ] && kill "$bpid" 2>/dev/null || true
	rm -rf "$work"
}
trap cleanup EXIT

command -v wrk >/dev/null || { echo "wrk not found: apt-get install -y wrk" >&2; exit 1; }

echo "building..." >&2
go build -tags "${TAGS:-}" -o "$work/shortener" "$root"
go build -tags "${TAGS:-}" -o "$work/baseline" "$root/bench/baseline"
go build -tags "${TAGS:-}" -o "$work/seed" "$root/bench/seed"
db=${DB:-sqlite://$work/db.sqlite}
"$work/seed" -db "$db" -links "$LINKS" >&2

# wait_for FILE PATTERN: print the first match of PATTERN's group in FILE.
wait_for() {
	for _ in $(seq 1 200); do
		if m=$(sed -nE "s/$2/\1/p" "$1" | head -1) && [ -n "$m" ]; then
			echo "$m"
			return
		fi
		sleep 0.05
	done
	echo "timed out waiting for $2 in $1" >&2
	cat "$1" >&2
	exit 1
}

"$work/shortener" serve --addr 127.0.0.1:0 --db "$db" --rate-limit 0 \
	--base-url http://127.0.0.1 2>"$work/server.log" &
spid=$!
saddr=$(wait_for "$work/server.log" '.*msg=serving addr=([^ ]+).*')
"$work/baseline" -links "$LINKS" >"$work/baseline.log" 2>&1 &
bpid=$!
baddr=$(wait_for "$work/baseline.log" 'listening (.*)')

# cpu_ticks PID: user+system clock ticks the process has used.
cpu_ticks() { awk '{print $14 + $15}' "/proc/$1/stat"; }
rss_mib() { awk '/VmRSS/ {printf "%.0f", $2 / 1024}' "/proc/$1/status"; }
hz=$(getconf CLK_TCK)

# run NAME PID ADDR DURATION: one wrk run; prints "rps p50_ms p99_ms cpu_us requests".
run() {
	local out="$work/$1.txt" t0 t1
	t0=$(cpu_ticks "$2")
	wrk -t"$THREADS" -c"$CONNS" -d"$4" --latency -s "$root/bench/random.lua" "http://$3" >"$out"
	t1=$(cpu_ticks "$2")
	awk -v ticks=$((t1 - t0)) -v hz="$hz" '
		function ms(v) { if (v ~ /us$/) return v / 1000; if (v ~ /ms$/) return v + 0; if (v ~ /s$/) return v * 1000; return v }
		/requests in/ { n = $1 }
		/Requests\/sec/ { rps = $2 }
		$1 == "50%" { p50 = ms($2) }
		$1 == "99%" { p99 = ms($2) }
		/Non-2xx or 3xx/ { bad = $NF }
		END {
			if (bad > 0) { print "error: " bad " responses were not 2xx/3xx" > "/dev/stderr"; exit 1 }
			printf "%.0f %.3f %.3f %.1f %d\n", rps, p50, p99, ticks / hz * 1e6 / n, n
		}' "$out"
}

echo "warming up ($WARMUP each)..." >&2
total=0
read -r _ _ _ _ n < <(run warm-base "$bpid" "$baddr" "$WARMUP")
read -r _ _ _ _ n < <(run warm-server "$spid" "$saddr" "$WARMUP")
total=$((total + n))

printf '%-4s | %-26s | %-26s | %s\n' pair "bare net/http rps p50 p99 cpu" "shortener rps p50 p99 cpu" ratio
ratios=()
for i in $(seq 1 "$PAIRS"); do
	read -r brps bp50 bp99 bcpu _ < <(run "base$i" "$bpid" "$baddr" "$DURATION")
	read -r srps sp50 sp99 scpu n < <(run "server$i" "$spid" "$saddr" "$DURATION")
	total=$((total + n))
	ratio=$(awk -v a="$srps" -v b="$brps" 'BEGIN { printf "%.2f", a / b }')
	ratios+=("$ratio")
	printf '%-4s | %7s %6sms %6sms %5sus | %7s %6sms %6sms %5sus | %s\n' "$i" \
		"$brps" "$bp50" "$bp99" "$bcpu" "$srps" "$sp50" "$sp99" "$scpu" "$ratio"
done
median=$(printf '%s\n' "${ratios[@]}" | sort -n | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}')
echo "median ratio (shortener / bare net/http): $median"
echo "shortener RSS: $(rss_mib "$spid") MiB, baseline RSS: $(rss_mib "$bpid") MiB"

# Stop the server as an operator would and check the click accounting.
kill -TERM "$spid"
wait "$spid" || { echo "server exited non-zero" >&2; exit 1; }
spid=""
written=$(sed -nE 's/.*clicks_written=([0-9]+).*/\1/p' "$work/server.log")
dropped=$(sed -nE 's/.*clicks_dropped=([0-9]+).*/\1/p' "$work/server.log")
echo "redirects sent: $total, clicks written: $written, dropped (queue full): $dropped"

if [ "${CREATE:-1}" = 1 ]; then
	echo
	DB="${CREATE_DB:-}" bash "$root/bench/create.sh"
fi
