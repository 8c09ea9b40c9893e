# shellcheck shell=bash
# Shared definitions for deploy/dev/svc and deploy/dev/kafka-run-class. Source it; do not run it.
# Every value below is an overridable default: export the variable before calling the scripts.

DEV_SCRIPT_DIR=$(cd "$(dirname "${BASH_SOURCE[0]}")" && pwd)
FAULTLINE_REPO=$(cd "$DEV_SCRIPT_DIR/../.." && pwd)

# Tools such as snmptrapd and clickhouse-server live in /usr/sbin, which is not on a normal user's PATH.
case ":$PATH:" in *:/usr/sbin:*) ;; *) PATH=$PATH:/usr/sbin:/sbin ;; esac
export PATH

# --- locations -------------------------------------------------------------------------------------
: "${FAULTLINE_DEV_DIR:=$FAULTLINE_REPO/.dev}"            # per-service pid file, data, logs
case $FAULTLINE_DEV_DIR in /*) ;; *) FAULTLINE_DEV_DIR=$PWD/$FAULTLINE_DEV_DIR ;; esac
: "${FAULTLINE_CACHE:=$HOME/.cache/faultline}"            # downloads (Kafka jars, maven repo), outside git
case $FAULTLINE_CACHE in /*) ;; *) FAULTLINE_CACHE=$PWD/$FAULTLINE_CACHE ;; esac
export FAULTLINE_DEV_DIR FAULTLINE_CACHE

# --- ports (all on 127.0.0.1) ------------------------------------------------------------------------
: "${FAULTLINE_KAFKA_PORT:=19092}"               # PLAINTEXT
: "${FAULTLINE_KAFKA_CONTROLLER_PORT:=19192}"    # KRaft controller (PLAINTEXT, internal)
: "${FAULTLINE_KAFKA_SASL_PORT:=19094}"          # SASL_PLAINTEXT, SCRAM-SHA-512
: "${FAULTLINE_KAFKA_SSL_PORT:=19095}"           # SSL (server auth only)
: "${FAULTLINE_CLICKHOUSE_HTTP_PORT:=18123}"
: "${FAULTLINE_CLICKHOUSE_TCP_PORT:=19000}"
: "${FAULTLINE_PROMETHEUS_PORT:=19090}"
: "${FAULTLINE_ALERTMANAGER_PORT:=19093}"
: "${FAULTLINE_NODE_EXPORTER_PORT:=19100}"
: "${FAULTLINE_SNMPTRAPD_PORT:=11162}"           # UDP
export FAULTLINE_KAFKA_PORT FAULTLINE_KAFKA_CONTROLLER_PORT FAULTLINE_KAFKA_SASL_PORT FAULTLINE_KAFKA_SSL_PORT \
  FAULTLINE_CLICKHOUSE_HTTP_PORT FAULTLINE_CLICKHOUSE_TCP_PORT FAULTLINE_PROMETHEUS_PORT \
  FAULTLINE_ALERTMANAGER_PORT FAULTLINE_NODE_EXPORTER_PORT FAULTLINE_SNMPTRAPD_PORT

# --- Kafka -------------------------------------------------------------------------------------------
: "${FAULTLINE_KAFKA_VERSION:=4.1.1}"            # the one place the broker version is pinned
# KRaft cluster id used when the storage is formatted (22-char base64url of 16 bytes: "faultline-dev-01")
: "${FAULTLINE_KAFKA_CLUSTER_ID:=ZmF1bHRsaW5lLWRldi0wMQ}"
: "${FAULTLINE_KAFKA_SASL_USER:=faultline}"      # SCRAM-SHA-512; stored at format time (see README)
: "${FAULTLINE_KAFKA_SASL_PASSWORD:=faultline-secret}"
: "${FAULTLINE_KAFKA_HEAP_OPTS:=-Xms256m -Xmx512m}"
export FAULTLINE_KAFKA_VERSION FAULTLINE_KAFKA_CLUSTER_ID FAULTLINE_KAFKA_SASL_USER FAULTLINE_KAFKA_SASL_PASSWORD
KAFKA_HOME_CACHE=$FAULTLINE_CACHE/kafka-$FAULTLINE_KAFKA_VERSION
KAFKA_LIBS=$KAFKA_HOME_CACHE/libs

# --- SNMP --------------------------------------------------------------------------------------------
: "${FAULTLINE_SNMP_COMMUNITY:=faultline}"
: "${FAULTLINE_SNMP_V3_USER:=faultline-v3}"              # SHA-1 auth + AES-128 priv
: "${FAULTLINE_SNMP_V3_SHA256_USER:=faultline-v3-sha256}" # SHA-256 auth + AES-128 priv
: "${FAULTLINE_SNMP_AUTH_PASS:=faultline-auth}"
: "${FAULTLINE_SNMP_PRIV_PASS:=faultline-priv}"
# Fixed engine id that trap SENDERS use (snmptrap -e / net-snmp createV3Session engineID): 80001f88 = net-snmp
# enterprise 8072 with the RFC 3411 format bit, 04 = text format, then "faultline" in ASCII.
: "${FAULTLINE_SNMP_ENGINE_ID:=0x80001f88046661756c746c696e65}"
# A second sender engine id for the net-snmp command-line tools (snmptrap -e): snmptrapd remembers each
# sender engine's boots and time, so the CLI and the sink must not share one or each refuses the other.
: "${FAULTLINE_SNMP_CLI_ENGINE_ID:=0x80001f8804666c2d636c69}"
export FAULTLINE_SNMP_COMMUNITY FAULTLINE_SNMP_V3_USER FAULTLINE_SNMP_V3_SHA256_USER FAULTLINE_SNMP_AUTH_PASS \
  FAULTLINE_SNMP_PRIV_PASS FAULTLINE_SNMP_ENGINE_ID FAULTLINE_SNMP_CLI_ENGINE_ID

# --- helpers -----------------------------------------------------------------------------------------
dev_log() { printf '%s\n' "svc: $*" >&2; }
dev_die() { printf '%s\n' "svc: error: $*" >&2; exit 1; }

_apt_updated=0
# apt_install PKG...: apt-get update (once per invocation) + install without recommends.
apt_install() {
  local sudo=
  if [ "$(id -u)" -ne 0 ]; then
    command -v sudo >/dev/null || dev_die "need root (or sudo) to apt-get install $*"
    sudo=sudo
  fi
  command -v apt-get >/dev/null || dev_die "apt-get not found; install manually: $*"
  mkdir -p "$FAULTLINE_CACHE"
  dev_log "installing (apt): $*"
  (
    # Serialise our own concurrent installs; DPkg::Lock::Timeout waits for anyone else's apt/dpkg.
    flock 9
    export DEBIAN_FRONTEND=noninteractive
    if [ "$_apt_updated" = 0 ]; then
      $sudo env DEBIAN_FRONTEND=noninteractive apt-get -q -o DPkg::Lock::Timeout=600 update >&2 ||
        exit 1
    fi
    $sudo env DEBIAN_FRONTEND=noninteractive apt-get -q -y -o DPkg::Lock::Timeout=600 \
      install --no-install-recommends "$@" >&2
  ) 9>"$FAULTLINE_CACHE/apt.lock" || dev_die "apt-get install $* failed"
  _apt_updated=1
}

# need CMD:PKG...: install the packages whose command is missing (one apt-get call).
need() {
  local spec missing=()
  for spec in "$@"; do
    command -v "${spec%%:*}" >/dev/null 2>&1 || missing+=("${spec#*:}")
  done
  [ ${#missing[@]} -eq 0 ] || apt_install "${missing[@]}"
  for spec in "$@"; do
    command -v "${spec%%:*}" >/dev/null 2>&1 || dev_die "${spec%%:*} still missing after installing ${spec#*:}"
  done
}

# kafka_ensure_jars: resolve kafka_2.13 + kafka-tools + runtime deps into $KAFKA_LIBS (once; cached).
kafka_ensure_jars() {
  [ -f "$KAFKA_LIBS/.complete" ] && return 0
  need java:openjdk-17-jre-headless mvn:maven
  mkdir -p "$KAFKA_HOME_CACHE"
  (
    flock 9
    [ -f "$KAFKA_LIBS/.complete" ] && exit 0
    dev_log "resolving Apache Kafka $FAULTLINE_KAFKA_VERSION jars with mvn into $KAFKA_LIBS (first time only)"
    cp "$DEV_SCRIPT_DIR/kafka/pom.xml" "$KAFKA_HOME_CACHE/pom.xml"
    rm -rf "$KAFKA_LIBS.tmp"
    (cd "$KAFKA_HOME_CACHE" && mvn -B -q -Dstyle.color=never -Dmaven.repo.local="$FAULTLINE_CACHE/m2" \
      -Dkafka.version="$FAULTLINE_KAFKA_VERSION" \
      dependency:copy-dependencies -DincludeScope=runtime -DoutputDirectory="$KAFKA_LIBS.tmp") >&2 ||
      { dev_log "mvn failed resolving Kafka $FAULTLINE_KAFKA_VERSION"; exit 1; }
    ls "$KAFKA_LIBS.tmp"/kafka_2.13-*.jar "$KAFKA_LIBS.tmp"/kafka-tools-*.jar >/dev/null 2>&1 ||
      { dev_log "mvn finished but the Kafka jars are missing from $KAFKA_LIBS.tmp"; exit 1; }
    rm -rf "$KAFKA_LIBS" && mv "$KAFKA_LIBS.tmp" "$KAFKA_LIBS" && touch "$KAFKA_LIBS/.complete"
  ) 9>"$KAFKA_HOME_CACHE.lock" || dev_die "could not resolve the Kafka jars"
}

# Classpath: every jar of the resolved libs dir (Java expands "dir/*").
kafka_classpath() { printf '%s' "$KAFKA_LIBS/*"; }
