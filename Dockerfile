# One image with every qrfleet binary; the command picks the worker.
FROM debian:bookworm AS build
RUN apt-get update && apt-get install -y --no-install-recommends \
      build-essential cmake ninja-build pkg-config librdkafka-dev libpqxx-dev libhiredis-dev \
      nlohmann-json3-dev prometheus-cpp-dev doctest-dev libvalijson-dev libgeoip-dev libssl-dev \
      libyaml-cpp-dev libcli11-dev && rm -rf /var/lib/apt/lists/*
WORKDIR /src
COPY . .
RUN cmake -S . -B /build -G Ninja -DCMAKE_BUILD_TYPE=RelWithDebInfo -DBUILD_TESTING=OFF \
 && cmake --build /build

FROM debian:bookworm-slim
RUN apt-get update && apt-get install -y --no-install-recommends \
      librdkafka++1 libpqxx-6.4 libhiredis0.14 libprometheus-cpp-core1.0 libgeoip1 geoip-database \
      libyaml-cpp0.7 libssl3 ca-certificates && rm -rf /var/lib/apt/lists/* \
 && useradd --system --uid 10001 qrfleet
COPY --from=build /build/bin/qrfleet /build/bin/qrfleet-* /usr/local/bin/
USER qrfleet
EXPOSE 9400
CMD ["qrfleet-scan-analytics"]
