# Shared helpers of the infra scripts (sourced, never run). Sets $repo_root from the sourcing script's path.
repo_root=$(cd "$(dirname "${BASH_SOURCE[0]}")/.." && pwd)

# Loopback only: the scripts refuse any other address.
loopback=127.0.0.1

require_root() {
  [ "$(id -u)" -eq 0 ] || { echo "$1 needs root (it uses apt-get, chown and runuser)" >&2; exit 1; }
}

# apt-get install without letting the package start its system service (policy-rc.d answering 101).
apt_install_quietly() {
  require_root "installing $*"
  local policy=/usr/sbin/policy-rc.d had_policy=0 status=0
  if [ -e "$policy" ]; then had_policy=1; cp -p "$policy" "$policy.launchnotify-backup"; fi
  printf '#!/bin/sh\nexit 101\n' > "$policy"
  chmod +x "$policy"
  { DEBIAN_FRONTEND=noninteractive apt-get update -qq &&
    DEBIAN_FRONTEND=noninteractive apt-get install -y -qq --no-install-recommends "$@" >/dev/null; } || status=$?
  if [ "$had_policy" -eq 1 ]; then mv "$policy.launchnotify-backup" "$policy"; else rm -f "$policy"; fi
  [ "$status" -eq 0 ] || echo "apt-get install $* failed (exit $status)" >&2
  return "$status"
}

# A service user must reach its data folder: give every parent the execute bit for others (no listing).
make_traversable_for() {
  local user=$1 dir=$2
  while [ "$dir" != "/" ]; do
    dir=$(dirname "$dir")
    if ! runuser -u "$user" -- test -x "$dir"; then
      chmod o+x "$dir"
      echo "  (made $dir traversable for the $user user)"
    fi
  done
}

# A password from the environment, else from (or generated into) a file readable only by its owner.
password_from() {
  local env_value=$1 file=$2
  if [ -n "$env_value" ]; then
    printf '%s' "$env_value" > "$file"
  elif [ ! -s "$file" ]; then
    head -c 24 /dev/urandom | od -An -tx1 | tr -d ' \n' > "$file"
  fi
  chmod 600 "$file"
  cat "$file"
}

port_open() { (exec 3<>"/dev/tcp/$loopback/$1") 2>/dev/null; }

# Who holds a TCP port on loopback (empty if nobody).
port_holder() {
  if command -v ss >/dev/null; then
    ss -ltnpH "sport = :$1" 2>/dev/null | sed -nE 's/.*users:\(\("([^"]+)",pid=([0-9]+).*/\1 (pid \2)/p' | head -1 || true
  elif port_open "$1"; then
    echo "another process"
  fi
  return 0
}
