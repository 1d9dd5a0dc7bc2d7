# One image with every qrfleet worker and the `qrfleet` CLI; the command picks
# the worker:  docker run qrfleet qrfleet-location   (docker-compose.yml, k8s/).
#
# Build stage: Debian bookworm with the -dev packages scripts/lib/common.sh
# installs for the build (no stores, no Kafka: the image only compiles).
FROM debian:bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config \
      librdkafka-dev libpqxx-dev libhiredis-dev nlohmann-json3-dev prometheus-cpp-dev \
      libqrencode-dev libpng-dev libcsv-dev libzip-dev \
      libhowardhinnant-date-dev libkainjow-mustache-dev libcpp-httplib-dev libmicrohttpd-dev libjemalloc-dev \
      doctest-dev libvalijson-dev libgeoip-dev libssl-dev libyaml-cpp-dev libcli11-dev libcurl4-openssl-dev \
 && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF -DCMAKE_UNITY_BUILD=ON \
 && cmake --build /build \
 && strip --strip-debug /build/bin/*

# Runtime stage: only the shared libraries the binaries link (ldd), the GeoIP
# country database, CA certificates, the time zone database (tzdata, which
# libdate-tz3 pulls in: quiet hours in the recipient's zone); no compiler, no
# shell tools beyond dash (the Kubernetes preStop hook and the setup job use sh).
FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      librdkafka++1 libpqxx-6.4 libhiredis0.14 libprometheus-cpp-core1.0 libgeoip1 geoip-database \
      libyaml-cpp0.7 libssl3 libcurl4 libqrencode4 libpng16-16 libcsv3 libzip4 libdate-tz3 libmicrohttpd12 libjemalloc2 ca-certificates \
 && rm -rf /var/lib/apt/lists/* \
 && groupadd --system --gid 10001 qrfleet \
 && useradd --system --uid 10001 --gid qrfleet --no-create-home --shell /usr/sbin/nologin qrfleet
COPY --from=build /build/bin/ /usr/local/bin/
# The message templates the fleet's own producers need; the setup job loads them.
COPY services/notifications/templates/ /usr/share/qrfleet/notification-templates/
USER 10001:10001
EXPOSE 9400
LABEL org.opencontainers.image.title="qrfleet" \
      org.opencontainers.image.description="qrfleet workers (qrfleet-scan-analytics, qrfleet-location, qrfleet-bulk-qr, qrfleet-notifications, qrfleet-payments), qrfleet-webhook-gateway and the qrfleet CLI"
CMD ["qrfleet", "--help"]
