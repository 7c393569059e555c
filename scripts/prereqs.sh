# shellcheck shell=bash
# The set-up shared by ./test and deploy/local/up: one place that knows what this machine must provide.
# Sourced, not run. Each function is silent when all is present and exits with the command to run when it cannot fix
# something itself. Target: Debian 12 with PostgreSQL installed; nothing here needs Docker.

prereqs_say() { echo "prereqs: $*" >&2; }
prereqs_fail() { echo "prereqs: ERROR: $*" >&2; exit 1; }

# Runs a command as root: directly when we are root, else through sudo (which may ask for a password).
prereqs_as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null 2>&1; then sudo "$@"
  else return 127; fi
}

# PostgreSQL at FLAGLEDGER_PG_HOST:FLAGLEDGER_PG_PORT (default 127.0.0.1:5432); starts the newest local Debian cluster
# when nothing answers there.
prereqs_postgres() {
  local host=${FLAGLEDGER_PG_HOST:-127.0.0.1} port=${FLAGLEDGER_PG_PORT:-5432} version
  pg_isready -h "$host" -p "$port" -q 2>/dev/null && return 0
  command -v pg_isready >/dev/null 2>&1 || prereqs_fail "PostgreSQL client tools missing: apt-get install postgresql"
  if [ "$host" != 127.0.0.1 ] && [ "$host" != localhost ]; then
    prereqs_fail "PostgreSQL does not answer on $host:$port (FLAGLEDGER_PG_HOST); start it there"
  fi
  version=$(ls /etc/postgresql 2>/dev/null | sort -V | tail -n1)
  [ -n "$version" ] || prereqs_fail "no PostgreSQL cluster under /etc/postgresql: apt-get install postgresql"
  prereqs_say "starting PostgreSQL $version"
  prereqs_as_root pg_ctlcluster --skip-systemctl-redirect "$version" main start \
    || prereqs_fail "could not start PostgreSQL: run 'sudo pg_ctlcluster --skip-systemctl-redirect $version main start'"
  for _ in $(seq 1 30); do pg_isready -h "$host" -p "$port" -q && return 0; sleep 1; done
  prereqs_fail "PostgreSQL $version started but does not answer on $host:$port"
}

# Installs the given Debian packages when missing (one apt-get run for all of them).
prereqs_packages() {
  local missing=() p
  for p in "$@"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" || missing+=("$p")
  done
  [ ${#missing[@]} -eq 0 ] && return 0
  prereqs_say "installing Debian packages: ${missing[*]}"
  if ! { prereqs_as_root apt-get update -q \
        && prereqs_as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}"; }; then
    prereqs_fail "could not install ${missing[*]}; run: sudo apt-get install ${missing[*]}"
  fi
}

# The packages' own daemons are not wanted: tests start private instances on loopback ports.
prereqs_stop_daemons() {
  local svc
  for svc in "$@"; do
    if service "$svc" status >/dev/null 2>&1; then
      prereqs_say "stopping the $svc daemon (tests start their own)"
      prereqs_as_root service "$svc" stop >/dev/null 2>&1 || prereqs_say "could not stop $svc; tests still work, it only costs memory"
    fi
  done
}

# JDK 17+ builds and runs the services; Keycloak needs 21+, found the way test-support's Keycloak launcher finds it.
prereqs_java() {
  local j v
  command -v java >/dev/null 2>&1 || prereqs_fail "no java on PATH: apt-get install openjdk-17-jdk-headless"
  for j in ${FLAGLEDGER_KEYCLOAK_JAVA_HOME:+"$FLAGLEDGER_KEYCLOAK_JAVA_HOME/bin/java"} ${JAVA_HOME:+"$JAVA_HOME/bin/java"} \
           "$(command -v java)" /usr/lib/jvm/*/bin/java /usr/local/lib/jvm/*/bin/java /opt/java/*/bin/java; do
    [ -x "$j" ] || continue
    v=$("$j" -XshowSettings:properties -version 2>&1 | sed -n 's/ *java.specification.version = //p')
    [ "${v%%.*}" -ge 21 ] 2>/dev/null && return 0
  done
  prereqs_fail "Keycloak needs a Java 21+ runtime and none was found (FLAGLEDGER_KEYCLOAK_JAVA_HOME, JAVA_HOME, /usr/lib/jvm).
  Debian 12 does not package one: unpack Temurin 21 or newer (https://adoptium.net) under /usr/lib/jvm,
  or point FLAGLEDGER_KEYCLOAK_JAVA_HOME at any JDK 21+."
}
