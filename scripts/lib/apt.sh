# Sourced by the scripts that install Debian packages for the tests.

# missing_packages sets the array missing to those of its arguments that
# are not installed.
missing_packages() {
	missing=()
	local p
	for p in "$@"; do
		if ! dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed'; then
			missing+=("$p")
		fi
	done
}

# apt_lock NAME SECONDS takes a machine-wide lock (file descriptor 9), so
# that test runs starting together install one at a time and whoever
# comes second finds everything installed.
apt_lock() {
	local dir=/run/lock
	[ -d "$dir" ] || dir=/tmp
	exec 9>"$dir/wasmphone-install-$1.lock"
	flock -w "$2" 9
}

# apt_install PACKAGE... installs without questions or recommends. The
# package lists are refreshed first when they are missing or older than a
# day; otherwise the install is tried with what is there, and the lists
# are refreshed only when that fails.
apt_install() {
	export DEBIAN_FRONTEND=noninteractive
	local lists=/var/lib/apt/lists
	if [ -z "$(find "$lists" -maxdepth 1 -name '*Packages*' -mtime -1 -print -quit 2>/dev/null)" ]; then
		apt-get update -q
		apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "$@"
	elif ! apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "$@"; then
		apt-get update -q
		apt-get install -y -q --no-install-recommends -o DPkg::Lock::Timeout=300 "$@"
	fi
}
