#!/usr/bin/env bash
# provision.sh - the one install script of ipc-labs: for the Vagrant VM, the
# container, CI and a bare Debian 12 (or Ubuntu) machine.
#
# Usage: sudo ./vm/provision.sh [--guest] [--packages-only] | --update-lock
#
#   (no option)      install every package of vm/packages.lock (groups course,
#                    host and instructor: vagrant, qemu, chromium, node), the
#                    decks' npm packages (npm ci in slides/), build the kit,
#                    grade every reference solution
#   --guest          the course group only: inside the VM, the container and
#                    `make vm-check`'s guest (marks it with /etc/ipclab-guest)
#   --packages-only  install and report the packages, build nothing (for
#                    images: make vm-check's, the Gradescope setup.sh)
#   --update-lock    rewrite vm/packages.lock with the versions installed here
#
# Packages come from Debian's mirror at the versions the lock records (see
# vm/packages.lock for what happens when the mirror has moved on). A second run
# changes nothing: installed packages are never touched, no apt call is made
# when nothing is missing, and the build is incremental. Non-interactive.
# Ends with the course's main job, the scoreboard of every reference solution
# (the student edition, which has none, ends after the build).
# Then run `make check` for the whole self-check.
set -euo pipefail

cd "$(dirname "$0")/.."
LOCK=vm/packages.lock

die() {
	echo "provision.sh: $*" >&2
	exit 2
}

usage() {
	sed -n '5,16s/^# \{0,1\}//p' "$0"
}

mode=all
build=yes
for arg; do
	case $arg in
	--guest) mode=guest ;;
	--packages-only) build=no ;;
	--update-lock)
		(($# == 1)) || die "--update-lock takes no other option"
		mode=update
		;;
	-h | --help) usage && exit 0 ;;
	*) usage >&2 && die "unknown option '$arg'" ;;
	esac
done

[[ $(id -u) == 0 ]] || die "must run as root: sudo $0 $*"
[[ -r /etc/os-release ]] || die "no /etc/os-release: this script supports Debian 12 and Ubuntu"
# shellcheck source=/dev/null
. /etc/os-release
[[ " ${ID:-} ${ID_LIKE:-} " == *" debian "* ]] ||
	die "this is ${PRETTY_NAME:-an unknown system}, not Debian-like: install the packages of $LOCK by hand, then run make"
command -v apt-get >/dev/null || die "apt-get not found on a Debian-like system"
[[ -r $LOCK ]] || die "$LOCK is missing: is this a whole clone of ipc-labs?"

# locked GROUP...: "NAME VERSION" for each package of those groups.
locked() {
	awk -v groups=" $* " '!/^#/ && NF == 3 && index(groups, " " $3 " ") { print $1, $2 }' "$LOCK"
}

installed_version() {
	dpkg-query -W -f='${Status} ${Version}' "$1" 2>/dev/null |
		awk '$1 == "install" && $3 == "installed" { print $4 }'
}

# stand_in NAME: what already does NAME's job when NAME itself is not installed:
# "provided by PACKAGE VERSION" (an installed package Provides it: NodeSource's
# nodejs provides npm and conflicts with Debian's), else "command PATH".
# Installing NAME then would fail or remove that package, so it counts as there.
stand_in() {
	local by command
	by=$(dpkg-query -W -f='${Status}|${Package} ${Version}|${Provides}\n' 2>/dev/null |
		awk -F'|' -v name="$1" '$1 == "install ok installed" {
			n = split($3, provides, /, */)
			for (i = 1; i <= n; i++)
				if (provides[i] == name || index(provides[i], name " (") == 1) { print $2; exit }
		}')
	if [[ -n $by ]]; then
		echo "provided by $by"
	elif command=$(command -v "$1"); then
		echo "command $command"
	fi
}

if [[ $mode == update ]]; then
	tmp=$(mktemp)
	while read -r line; do
		read -r name version group <<<"$line"
		if [[ -z $line || $line == \#* || -z ${group:-} ]]; then
			echo "$line"
		else
			now=$(installed_version "$name")
			printf '%-17s %-27s %s\n' "$name" "${now:-$version}" "$group"
		fi
	done <"$LOCK" >"$tmp"
	mv "$tmp" "$LOCK"
	chmod 644 "$LOCK"
	echo "provision.sh: $LOCK now records the versions installed here (git diff shows what moved)"
	exit 0
fi

groups=(course)
[[ $mode == guest ]] || groups+=(host instructor)
mapfile -t packages < <(locked "${groups[@]}")

# Missing packages: the locked version when the mirror has it, else the mirror's.
missing=()
for entry in "${packages[@]}"; do
	read -r name version <<<"$entry"
	[[ -n $(installed_version "$name") || -n $(stand_in "$name") ]] || missing+=("$name=$version")
done
if ((${#missing[@]})); then
	export DEBIAN_FRONTEND=noninteractive
	echo "provision.sh: installing ${missing[*]}"
	apt-get update -q
	wanted=()
	for spec in "${missing[@]}"; do
		if apt-cache madison "${spec%%=*}" | awk -F'|' '{ gsub(/ /, "", $2); print $2 }' |
			grep -qxF "${spec#*=}"; then
			wanted+=("$spec")
		else
			echo "provision.sh: warning: Debian's mirror no longer has ${spec/=/ }; installing its current version"
			wanted+=("${spec%%=*}")
		fi
	done
	apt-get install -y -q --no-install-recommends "${wanted[@]}"
fi

# What is installed, against the lock: printed every time.
differ=0
printf 'provision.sh: packages (%s groups: %s)\n' "$LOCK" "${groups[*]}"
for entry in "${packages[@]}"; do
	read -r name version <<<"$entry"
	now=$(installed_version "$name")
	if [[ $now == "$version" ]]; then
		state=ok
	else
		state="DIFFERS from the lock"
		differ=$((differ + 1))
		[[ -n $now ]] || now=$(stand_in "$name")
	fi
	printf '  %-17s %-27s %s\n' "$name" "${now:-not installed}" "$state"
done
((differ == 0)) || echo "provision.sh: warning: $differ package(s) differ from $LOCK;" \
	"the kit was checked with the locked versions (make check will tell)"

# The decks' npm packages (group instructor): exactly those of the lock, from
# npm's registry, into slides/node_modules; again only when the lock is newer
# than what npm ci last installed (npm writes node_modules/.package-lock.json).
if [[ $mode == all && -e slides/package-lock.json ]]; then
	command -v npm >/dev/null || die "npm not found after installing nodejs and npm"
	if [[ slides/node_modules/.package-lock.json -nt slides/package-lock.json ]]; then
		echo "provision.sh: slides/node_modules matches slides/package-lock.json" \
			"(node $(node --version), npm $(npm --version))"
	else
		echo "provision.sh: npm ci in slides/ (the Marp packages of slides/package-lock.json," \
			"node $(node --version), npm $(npm --version))"
		(cd slides && npm ci --ignore-scripts --no-audit --no-fund --loglevel=warn) ||
			die "npm ci in slides/ failed (above); make slides and make check's decks_fit need it"
	fi
fi

# Packages only: an image or a Gradescope setup, not (yet) a machine to mark.
[[ $build == yes ]] || exit 0
if [[ $mode == guest ]]; then
	echo "provisioned by ipc-labs vm/provision.sh --guest" >/etc/ipclab-guest
else
	rm -f /etc/ipclab-guest
fi

echo "provision.sh: building"
make -s all

# The machine's own demonstrations, last (make check compares them with
# FACTS.md): each in private namespaces; where this machine refuses those (a
# container build), ipclab says so and the rest are not tried.
demonstrate() {
	local name status
	for name in $(bin/ipclab scenario | awk '/^  [a-z]/ { print $1 }'); do
		echo "provision.sh: bin/ipclab scenario $name"
		status=0
		bin/ipclab scenario "$name" || status=$?
		if ((status == 2)); then
			echo "provision.sh: scenarios not run here (above); run them in the VM"
			return 0
		fi
		((status == 0)) || echo "provision.sh: warning: scenario $name failed (status $status)"
	done
}

if [[ ! -d solutions ]]; then
	demonstrate
	echo "provision.sh: the student edition has no reference solutions to grade;" \
		"try: cd labs/01-pipes && ../../bin/ipclab test 01"
	exit 0
fi
echo "provision.sh: grading the reference solutions"
make -s grade
demonstrate
