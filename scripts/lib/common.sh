# Shared by scripts/stack, scripts/test, scripts/run, scripts/bench.
# Sourced, not executed. Everything the scripts need is installed from Debian's
# packages or Maven Central; nothing is downloaded any other way.

QRFLEET_ROOT=$(cd "$(dirname "${BASH_SOURCE[0]}")/../.." && pwd)
KAFKA_VERSION=3.9.1
QRFLEET_CACHE=${QRFLEET_CACHE:-${XDG_CACHE_HOME:-$HOME/.cache}/qrfleet}

DEBIAN_PACKAGES=(
  libcpp-httplib-dev libmicrohttpd-dev libjemalloc-dev
  build-essential cmake ninja-build pkg-config git
  librdkafka-dev libpqxx-dev libhiredis-dev nlohmann-json3-dev prometheus-cpp-dev
  libqrencode-dev libpng-dev libcsv-dev libzip-dev zbar-tools librsvg2-bin unzip
  libkainjow-mustache-dev libhowardhinnant-date-dev python3-aiosmtpd
  doctest-dev libvalijson-dev libgeoip-dev geoip-database libssl-dev libyaml-cpp-dev libcli11-dev libcurl4-openssl-dev
  postgresql postgresql-client redis-server default-jre-headless maven curl openssl
  docker-compose prometheus python3-venv
)

log() { printf '\033[1m[qrfleet]\033[0m %s\n' "$*" >&2; }
die() { printf '[qrfleet] error: %s\n' "$*" >&2; exit 1; }

as_root() {
  if [ "$(id -u)" -eq 0 ]; then "$@"
  elif command -v sudo >/dev/null; then sudo "$@"
  else die "need root to run: $* (install sudo or run as root)"; fi
}

# Installs the Debian packages that are missing; a no-op when all are present.
ensure_packages() {
  local missing=()
  for p in "${DEBIAN_PACKAGES[@]}"; do
    dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q 'install ok installed' || missing+=("$p")
  done
  command -v java >/dev/null || missing+=(default-jre-headless)
  command -v mvn  >/dev/null || missing+=(maven)
  { command -v node && command -v npm; } >/dev/null || missing+=(nodejs npm)  # scripts/bench peers
  [ ${#missing[@]} -eq 0 ] && return 0
  log "installing Debian packages: ${missing[*]}"
  as_root env DEBIAN_FRONTEND=noninteractive apt-get update -q >&2
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -q --no-install-recommends "${missing[@]}" >&2
}

# Fetches Apache Kafka's jars from Maven Central once; prints the jar directory.
ensure_kafka() {
  local dir="$QRFLEET_CACHE/kafka-$KAFKA_VERSION"
  if [ ! -f "$dir/.complete" ]; then
    log "fetching Apache Kafka $KAFKA_VERSION from Maven Central into $dir"
    mkdir -p "$dir"
    mvn -q -B -f "$QRFLEET_ROOT/scripts/kafka/pom.xml" \
      -Dkafka.version="$KAFKA_VERSION" dependency:copy-dependencies \
      -DoutputDirectory="$dir/libs" -DincludeScope=runtime >&2 \
      || die "maven could not fetch Kafka $KAFKA_VERSION"
    touch "$dir/.complete"
  fi
  echo "$dir/libs"
}

# The Versity S3 Gateway, the S3-compatible server the object-storage tests
# talk to: built once from the Go module proxy with the installed Go, cached
# by version. Prints the binary's path.
VERSITYGW_VERSION=${VERSITYGW_VERSION:-v1.8.0}
ensure_versitygw() {
  local dir="$QRFLEET_CACHE/versitygw-$VERSITYGW_VERSION"
  if [ ! -x "$dir/bin/versitygw" ]; then
    local go; go=$(command -v go || echo /usr/local/go/bin/go)
    [ -x "$go" ] || die "Go is needed to build versitygw (install golang from go.dev or Debian's golang-go)"
    log "building versitygw $VERSITYGW_VERSION from the Go module proxy into $dir (2-4 minutes the first time)"
    mkdir -p "$dir"
    GOBIN="$dir/bin" GOFLAGS=-buildvcs=false GOPATH="$QRFLEET_CACHE/go" GOCACHE="$QRFLEET_CACHE/go-build" \
      "$go" install -trimpath -ldflags="-s -w" "github.com/versity/versitygw/cmd/versitygw@$VERSITYGW_VERSION" >&2 \
      || die "could not build versitygw $VERSITYGW_VERSION"
  fi
  echo "$dir/bin/versitygw"
}

# Stripe's own Python library (PyPI), which signs the webhooks the gateway
# tests send: a venv made once, cached by version. Prints its python.
STRIPE_PYTHON_VERSION=${STRIPE_PYTHON_VERSION:-16.1.0}
ensure_stripe_python() {
  local dir="$QRFLEET_CACHE/python-stripe-$STRIPE_PYTHON_VERSION"
  if [ ! -f "$dir/.complete" ]; then
    log "installing stripe $STRIPE_PYTHON_VERSION from PyPI into $dir"
    python3 -m venv "$dir" >&2
    "$dir/bin/pip" install -q "stripe==$STRIPE_PYTHON_VERSION" >&2 || die "pip could not install stripe $STRIPE_PYTHON_VERSION"
    touch "$dir/.complete"
  fi
  echo "$dir/bin/python"
}

# Configures and builds the tree. BUILD_DIR and CMAKE_ARGS may be overridden;
# BUILD_TARGETS (space-separated) builds only those targets.
build_tree() {
  local build_dir=${BUILD_DIR:-$QRFLEET_ROOT/build}
  local jobs; jobs=$(nproc)
  if [ ! -f "$build_dir/build.ninja" ]; then
    # shellcheck disable=SC2086
    # QRFLEET_UNITY_BUILD=ON (CI): fewer, larger translation units, a faster
    # build from scratch; off by default, since it slows incremental rebuilds.
    cmake -S "$QRFLEET_ROOT" -B "$build_dir" -G Ninja -DCMAKE_BUILD_TYPE=${BUILD_TYPE:-RelWithDebInfo} \
      -DCMAKE_UNITY_BUILD="${QRFLEET_UNITY_BUILD:-OFF}" ${CMAKE_ARGS:-} >&2
  fi
  local targets=()
  for t in ${BUILD_TARGETS:-}; do targets+=(--target "$t"); done
  cmake --build "$build_dir" -j "$jobs" "${targets[@]}" >&2
  echo "$build_dir"
}

# Event age (Kafka timestamp -> applied) between two scrapes of a worker's
# qrfleet_event_age_seconds_bucket lines: p50 and p99, interpolated within
# buckets like Prometheus' histogram_quantile(), and the count. (bench, run)
age_quantiles() { # before after
  { printf '%s\n' "$1" | sed 's/^/B /'; printf '%s\n' "$2" | sed 's/^/A /'; } |
    awk '{ match($2, /le="[^"]+"/); le = substr($2, RSTART + 4, RLENGTH - 5); if (le == "+Inf") le = 1e18
           if ($1 == "A") a[le] += $3; else b[le] += $3 }
         END { for (le in a) print le, a[le] - b[le] }' | sort -g |
    awk '{ le[NR] = $1; c[NR] = $2 } END {
           total = c[NR]
           for (qi = 1; qi <= 2; qi++) {
             q = (qi == 1) ? 0.5 : 0.99; target = q * total; prevc = 0; prevle = 0
             for (i = 1; i <= NR; i++) {
               if (c[i] >= target) {
                 if (le[i] >= 1e18) { printf "p%d event age > %s s\n", q * 100, prevle; break }
                 span = c[i] - prevc; frac = span > 0 ? (target - prevc) / span : 1
                 printf "p%d event age %.1f ms (bucket <= %s s)\n", q * 100, (prevle + (le[i] - prevle) * frac) * 1000, le[i]
                 break
               }
               prevc = c[i]; prevle = le[i]
             }
           }
           printf "events measured: %d\n", total }'
}
