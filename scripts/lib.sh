# scripts/lib.sh — small helpers shared by the project's shell scripts.
# say: a progress line on stderr, prefixed with the elapsed time.
say() { printf '[%4ds] %s\n' "$SECONDS" "$*" >&2; }
die() { printf 'error: %s\n' "$*" >&2; exit 1; }
# apt_need PKG...: installs the packages that are missing, quietly when none is.
apt_need() {
	local missing=() p
	for p in "$@"; do dpkg -s "$p" >/dev/null 2>&1 || missing+=("$p"); done
	((${#missing[@]})) || return 0
	say "installing Debian packages: ${missing[*]}"
	if [[ ! -f /var/lib/apt/lists/lock || -z $(ls /var/lib/apt/lists/*_Packages 2>/dev/null) ]]; then
		apt-get update -qq >&2 || true
	fi
	DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2 ||
		{ apt-get update -qq >&2 && DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "${missing[@]}" >&2; }
}
# wait_for SECONDS WHAT CMD...: runs CMD until it succeeds, printing progress every 5 s.
wait_for() {
	local limit=$1 what=$2 t0=$SECONDS; shift 2
	until "$@" >/dev/null 2>&1; do
		((SECONDS - t0 >= limit)) && { say "gave up waiting for $what after ${limit}s"; return 1; }
		(((SECONDS - t0) % 5 == 0)) && say "waiting for $what ($((SECONDS - t0))s)..."
		sleep 1
	done
}
